"""Issue 15 item 2: the status and substance filters read their own indexes.

The copies they read (the record's status on its recipient rows; RecordSubstance and
RecipientSubstance from the seizure items and the recipient rows) must stay exact
through every write path, and every filter and combination must return what a naive
Python filter over the same data returns, for an officer of another state (nothing out
of scope) and a coordinator. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from intel import exchange, services
from intel.filters import IntelRecordFilterSet
from intel.models import (
    IntelRecord,
    IntelRecordRecipient,
    RecipientSubstance,
    RecordSubstance,
    SeizureItem,
    sync_substances,
)
from intel.vocabularies import RecordStatus
from members.models import State

from .conftest import MARKINGS, create_seizure

ALMATY = ZoneInfo("Asia/Almaty")
ROOT = Path(settings.BASE_DIR)


def seizure(author, substances, recipients=(), **fields):
    return create_seizure(author, substances, quantity="1", recipients=recipients, **fields)


def move(record, when: datetime) -> None:
    """Date a record and every copy of its created_at (tests only: created_at never changes)."""
    IntelRecord.objects.filter(pk=record.pk).update(created_at=when)
    IntelRecordRecipient.objects.filter(content_object=record).update(created_at=when)
    RecordSubstance.objects.filter(record=record).update(created_at=when)
    RecipientSubstance.objects.filter(record=record).update(created_at=when)


def assert_copies_exact() -> None:
    """Every recipient row carries its record's status; the substance tables are exactly
    what the items and the recipient rows imply."""
    stale = [
        (row.content_object_id, row.status, row.content_object.status)
        for row in IntelRecordRecipient.objects.select_related("content_object")
        if row.status != row.content_object.status
    ]
    assert stale == []
    expected = {
        (item.seizure.record_id, item.substance, item.seizure.record.created_at)
        for item in SeizureItem.objects.select_related("seizure__record")
    }
    assert set(RecordSubstance.objects.values_list("record_id", "substance", "created_at")) == expected
    assert RecordSubstance.objects.count() == len(expected)
    recipients = set(IntelRecordRecipient.objects.values_list("group_id", "content_object_id"))
    expected_per_group = {(g, r, s, c) for (g, rr) in recipients for (r, s, c) in expected if r == rr}
    assert (
        set(RecipientSubstance.objects.values_list("group_id", "record_id", "substance", "created_at"))
        == expected_per_group
    )
    assert RecipientSubstance.objects.count() == len(expected_per_group)


# --- the status copy ----------------------------------------------------------------


def test_every_status_path_keeps_the_recipient_rows_exact(officer_kz, make_record, uz, kg):
    record = make_record(officer_kz, recipients=[uz, kg])
    other = make_record(officer_kz, recipients=[uz])
    assert_copies_exact()

    exchange.archive(officer_kz, record)  # the originator archives
    assert IntelRecordRecipient.objects.filter(content_object=record, status="archived").count() == 3
    assert_copies_exact()

    services.edit_record(user=officer_kz, record=record, fields={"status": RecordStatus.ACTIVE})  # UI and API edit
    assert_copies_exact()
    services.edit_record(user=officer_kz, record=other, fields={"status": RecordStatus.ARCHIVED})
    assert_copies_exact()

    record = IntelRecord.objects.get(pk=record.pk)  # the admin: ModelAdmin.save_model saves the instance
    record.status = RecordStatus.ARCHIVED
    record.save()
    assert_copies_exact()

    record.status = RecordStatus.ACTIVE  # a save naming its fields
    record.save(update_fields=["status"])
    assert_copies_exact()

    earlier = record.history.filter(status=RecordStatus.ARCHIVED).first()  # the admin's history revert
    earlier.instance.save()
    assert IntelRecord.objects.get(pk=record.pk).status == RecordStatus.ARCHIVED
    assert_copies_exact()

    record.refresh_from_db()
    record.title = "Retitled"  # a save that leaves the status alone changes no recipient row
    record.save(update_fields=["title"])
    assert_copies_exact()


def test_a_grant_after_archiving_copies_the_status(officer_kz, make_record, uz, kg):
    record = make_record(officer_kz, recipients=[uz])
    exchange.archive(officer_kz, record)
    record.share_with([kg])
    assert IntelRecordRecipient.objects.get(content_object=record, group=kg.group).status == "archived"
    record.set_recipients([kg])  # uz's rows go, kg's stay
    assert_copies_exact()


def _python_sources():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "node_modules"} or "migrations" in rel.parts:
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_no_code_writes_a_record_status_around_the_sync():
    """The status copy is kept by the post_save receiver (intel.models): any write of a
    record's status that bypasses save() (QuerySet.update, raw SQL) must call
    core.sharing.sync_recipient_copies itself, and be listed here once it does."""
    synced_elsewhere: set[str] = set()
    offenders = []
    update_status = re.compile(r"\.update\([^)]*\bstatus\s*=")
    raw_sql = re.compile(r"UPDATE\s+intel_intelrecord\b(?!\w)[^;\"]*\bstatus\b", re.IGNORECASE | re.DOTALL)
    for rel, text in _python_sources():
        if str(rel) in synced_elsewhere:
            continue
        for match in update_status.finditer(text):
            # The receiver: the statement's text on that line before `.update(` (a queryset
            # of records: IntelRecord.objects..., records, record_qs, moved...).
            line_start = text.rfind("\n", 0, match.start()) + 1
            receiver = text[line_start : match.start()]
            if "IntelRecord" in receiver or "record" in receiver.lower() or "moved" in receiver:
                offenders.append(f"{rel}:{text.count(chr(10), 0, match.start()) + 1}")
        for match in raw_sql.finditer(text):
            offenders.append(f"{rel}:{text.count(chr(10), 0, match.start()) + 1}")
    assert offenders == []


def test_no_code_writes_seizure_items_without_the_substance_rows():
    """Items are written by intel.services.create_seizure (the UI, the API, the STIX
    import) and the bench seeders, each calling intel.models.sync_substances in the same
    transaction; a new writer must too."""
    writes = re.compile(
        r"SeizureItem\((?!Serializer|Form)|SeizureItem\.objects\.(create|bulk_create|update|filter\([^)]*\)\.(update|delete))"
        r"|\bitems\.(create|update|bulk_create|set|add|all\(\)\.delete|filter\([^)]*\)\.delete)\("
    )
    offenders = []
    for rel, text in _python_sources():
        if writes.search(text) and "sync_substances" not in text:
            offenders.append(str(rel))
    assert offenders == []


# --- the substance tables -----------------------------------------------------------


def test_item_writes_grants_and_revokes_keep_the_substance_rows_exact(officer_kz, officer_uz, uz, kg, de):
    one = seizure(officer_kz, ["heroin", "opium", "heroin"], recipients=[uz])
    two = seizure(officer_uz, ["cocaine"], recipients=[kg])
    assert_copies_exact()
    assert RecordSubstance.objects.filter(record=one).count() == 2  # one row per substance
    one.share_with([kg, de])
    assert_copies_exact()
    one.unshare([uz])
    assert_copies_exact()
    IntelRecord.objects.filter(pk=two.pk).unshare([kg])  # a queryset of ids
    assert_copies_exact()
    SeizureItem.objects.filter(seizure__record=one, substance="opium").delete()
    sync_substances([one.pk])
    assert_copies_exact()
    one.set_recipients([uz])
    assert_copies_exact()


# --- every filter and combination against a naive filter ------------------------------


@pytest.fixture
def world(officer_kz, officer_uz, officer_kg, kz, uz, kg):
    """Records of three states, some shared, some archived, some seizures, over three years."""
    records = []
    authors = [officer_kz, officer_uz, officer_kg]
    others = {officer_kz: [uz, kg], officer_uz: [kz], officer_kg: [kz, uz]}
    substances = [["heroin"], ["opium", "heroin"], ["cocaine"], ["heroin", "cocaine", "opium"]]
    for i in range(24):
        author = authors[i % 3]
        recipients = others[author][: i % 3]  # none, one or two other states
        if i % 2 == 0:
            record = seizure(author, substances[i % 4], recipients=recipients)
        else:
            record = services.create_record(
                user=author,
                fields={"title": f"Record {i}", "kind": ["general", "analysis"][i % 4 // 2], **MARKINGS},
                recipients=recipients,
            )
        move(record, datetime(2024 + i % 3, 1 + i % 12, 1 + i, 12, tzinfo=ALMATY))
        if i % 5 == 0:
            exchange.archive(author, record)
        records.append(record)
    return records


def naive(user, data) -> list[int]:
    """The records the user may see and the filters keep, computed in Python."""
    out = []
    for r in IntelRecord.objects.select_related("originating_state"):
        if user.state_id:
            shared = set(r.shared_state_ids("view"))
            if user.state_id not in shared:
                continue
        if "kind" in data and r.kind != data["kind"]:
            continue
        if "state" in data and (r.originating_state.code if r.originating_state_id else None) != data["state"]:
            continue
        if "status" in data and r.status != data["status"]:
            continue
        local_day = timezone.localtime(r.created_at, ALMATY).date()
        if "created_before" in data and not local_day <= data["created_before"]:
            continue
        if "created_after" in data and not local_day >= data["created_after"]:
            continue
        if "substance" in data:
            subs = set(SeizureItem.objects.filter(seizure__record=r).values_list("substance", flat=True))
            if data["substance"] not in subs:
                continue
        out.append(r)
    out.sort(key=lambda r: (r.created_at, r.pk), reverse=True)
    return [r.pk for r in out]


FILTER_VALUES = {
    "kind": ["seizure", "general"],
    "state": ["KZ", "UZ"],
    "created_before": [date(2025, 6, 30)],
    "created_after": [date(2025, 1, 1)],
    "substance": ["heroin", "cocaine", "morphine"],
    "status": ["archived", "active"],
}


def combinations():
    names = list(FILTER_VALUES)
    for size in range(len(names) + 1):
        for chosen in itertools.combinations(names, size):
            # The first value of each chosen filter, and once the second values, keep the grid small.
            yield {name: FILTER_VALUES[name][0] for name in chosen}
            if size and all(len(FILTER_VALUES[n]) > 1 for n in chosen):
                yield {name: FILTER_VALUES[name][1] for name in chosen}


class _Request:
    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize("persona", ["officer_uz", "officer_kg", "coordinator"])
def test_every_filter_and_combination_matches_a_naive_filter(request, persona, world):
    user = request.getfixturevalue(persona)
    assert_copies_exact()
    checked = 0
    for data in combinations():
        form_data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
        filterset = IntelRecordFilterSet(
            form_data, queryset=IntelRecord.objects.visible_to(user), request=_Request(user)
        )
        assert filterset.is_valid(), filterset.errors
        got = list(filterset.qs.order_by("-created_at", "-id").values_list("pk", flat=True))
        assert got == naive(user, data), data
        # The same through a keyset page boundary (the ranges repeated on the driving joins).
        if len(got) > 2:
            pivot = IntelRecord.objects.get(pk=got[1])
            rest = list(
                filterset.qs.order_by("-created_at", "-id")
                .filter(created_at__lt=pivot.created_at)
                .values_list("pk", flat=True)
            )
            assert rest == got[2:], data
        checked += 1
    assert checked > 60


def test_the_api_filters_match_for_a_state_officer(world, officer_uz, api_for):
    api = api_for(officer_uz)
    for data in [{"substance": "heroin"}, {"status": "archived"}, {"substance": "opium", "status": "active"}]:
        response = api.get("/api/v1/intel/records/", {**data, "page_size": 500})
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == naive(officer_uz, data)


def test_nothing_out_of_scope_through_the_substance_rows(officer_kz, officer_uz, kz, uz, kg):
    """A RecipientSubstance row of another group never lets a record through."""
    mine = seizure(officer_kz, ["heroin"], recipients=[kg])  # not shared with uz
    user_qs = IntelRecordFilterSet({"substance": "heroin"}, queryset=IntelRecord.objects.visible_to(officer_uz)).qs
    assert mine.pk not in set(user_qs.values_list("pk", flat=True))
    assert State.objects.filter(pk=uz.pk).exists()
    assert not user_qs.exists()
    stamp = timezone.now() - timedelta(days=1)
    move(mine, stamp)
    assert not user_qs.exists()
