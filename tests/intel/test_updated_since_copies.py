"""Issue 16, `?updated_since=` for a state: the record's updated_at copied onto its recipient rows.

A state officer's `updated_since` is a range on the recipient rows' copy (read from
(group, updated_at, record) or filtered on the rows walked in created_at order), so the
copy must stay exact after every write path: the originator's edit, archiving, a review
extension, the admin's save, a history revert, grant and revoke. The results must equal a
naive filter, for officers of other states and a coordinator, including old records
changed recently. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intel import exchange, services
from intel.models import IntelRecord, IntelRecordRecipient
from intel.vocabularies import RecordStatus

from .conftest import MARKINGS
from .test_filter_indexes import _python_sources, move

ALMATY = ZoneInfo("Asia/Almaty")
START = datetime(2026, 3, 1, 9, 0, tzinfo=ALMATY)


def assert_updated_copies_exact() -> None:
    stale = [
        (row.content_object_id, row.updated_at, row.content_object.updated_at)
        for row in IntelRecordRecipient.objects.select_related("content_object")
        if row.updated_at != row.content_object.updated_at or row.status != row.content_object.status
    ]
    assert stale == []


def recipient_updates(ctx) -> list[str]:
    table = IntelRecordRecipient._meta.db_table
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and table in q["sql"]]


def test_every_write_path_keeps_the_updated_at_copy_exact(officer_kz, make_record, uz, kg, de):
    with time_machine.travel(START, tick=False) as clock:
        record = make_record(officer_kz, recipients=[uz, kg])
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        services.edit_record(user=officer_kz, record=record, fields={"title": "Retitled"})  # UI and API edit
        assert (
            IntelRecordRecipient.objects.filter(content_object=record, updated_at=START + timedelta(hours=1)).count()
            == 3
        )
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        exchange.extend_review(officer_kz, record, timezone.localdate() + timedelta(days=30))  # update_fields
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        exchange.archive(officer_kz, record)
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        record = IntelRecord.objects.get(pk=record.pk)  # the admin: ModelAdmin.save_model saves the instance
        record.summary = "Changed in the admin"
        with CaptureQueriesContext(connection) as ctx:
            record.save()
        assert len(recipient_updates(ctx)) == 1  # one statement for both copies
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        earlier = record.history.filter(status=RecordStatus.ACTIVE).first()  # the admin's history revert
        earlier.instance.save()
        assert IntelRecord.objects.get(pk=record.pk).status == RecordStatus.ACTIVE
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        record.refresh_from_db()
        record.title = "Named fields"  # a save naming neither copied field writes no recipient row
        with CaptureQueriesContext(connection) as ctx:
            record.save(update_fields=["title"])
        assert recipient_updates(ctx) == []
        assert_updated_copies_exact()

        clock.shift(timedelta(hours=1))
        record.share_with([de])  # grant copies the current value
        record.unshare([kg])
        record.set_recipients([uz])
        assert_updated_copies_exact()
        assert IntelRecordRecipient.objects.filter(content_object=record).count() == 2  # kz (own) and uz


def test_no_code_writes_a_record_updated_at_around_the_sync():
    """updated_at is copied by the post_save receiver: a bulk write of records (QuerySet.update,
    raw SQL) that changes their content must stamp updated_at and call
    core.sharing.sync_recipient_copies; none exists today (the search vector's UPDATE is
    derived from fields saved through save() just before)."""
    update_call = re.compile(r"\.update\([^)]*\bupdated_at\s*=")
    raw_sql = re.compile(r"UPDATE\s+intel_intelrecord\b(?!\w)[^;\"]*\bupdated_at\b", re.IGNORECASE | re.DOTALL)
    offenders = []
    for rel, text in _python_sources():
        for match in list(update_call.finditer(text)) + list(raw_sql.finditer(text)):
            line_start = text.rfind("\n", 0, match.start()) + 1
            receiver = text[line_start : match.start()]
            if match.re is raw_sql or "IntelRecord" in receiver or "record" in receiver.lower():
                offenders.append(f"{rel}:{text.count(chr(10), 0, match.start()) + 1}")
    assert offenders == []


# --- updated_since against a naive filter ---------------------------------------------


@pytest.fixture
def changed_world(officer_kz, officer_uz, officer_kg, kz, uz, kg):
    """Records of three states created over two years, each last changed through save() at a
    time of its own: some old records changed recently, some new ones not since creation."""
    authors = [officer_kz, officer_uz, officer_kg]
    others = {officer_kz: [uz, kg], officer_uz: [kz], officer_kg: [kz, uz]}
    records = []
    for i in range(18):
        author = authors[i % 3]
        created = START - timedelta(days=40 * (18 - i))
        with time_machine.travel(created, tick=False):
            record = services.create_record(
                user=author,
                fields={"title": f"Record {i}", "kind": "general", **MARKINGS},
                recipients=others[author][: i % 3],
            )
        move(record, created)
        if i % 3 != 1:  # changed later: the old ones most recently
            with time_machine.travel(START + timedelta(days=(18 - i) * 3, hours=i), tick=False):
                if i % 4 == 0:
                    exchange.archive(author, record)
                else:
                    services.edit_record(user=author, record=record, fields={"summary": f"Changed {i}"})
        records.append(record)
    assert_updated_copies_exact()
    return records


def naive(user, since, status=None) -> list[int]:
    out = []
    for r in IntelRecord.objects.all():
        if user.state_id and user.state_id not in set(r.shared_state_ids("view")):
            continue
        if r.updated_at < since or (status and r.status != status):
            continue
        out.append(r)
    out.sort(key=lambda r: (r.created_at, r.pk), reverse=True)
    return [r.pk for r in out]


CUTOFFS = [
    START - timedelta(days=800),
    START - timedelta(days=200),
    START,
    START + timedelta(days=20),
    START + timedelta(days=60),
]


@pytest.mark.parametrize("persona", ["officer_uz", "officer_kg", "coordinator"])
def test_updated_since_matches_a_naive_filter(request, persona, changed_world, api_for):
    user = request.getfixturevalue(persona)
    api = api_for(user)
    nonempty = 0
    for since in CUTOFFS:
        expected = naive(user, since)
        nonempty += bool(expected)
        stamp = since.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
        response = api.get("/api/v1/intel/records/", {"updated_since": stamp, "page_size": 500})
        assert response.status_code == 200
        # The API orders updated_since pages by (updated_at, id), oldest first (core.pagination).
        by_change = sorted(IntelRecord.objects.filter(pk__in=expected), key=lambda r: (r.updated_at, r.pk))
        assert [r["id"] for r in response.json()["results"]] == [r.pk for r in by_change], since

        qs = IntelRecord.objects.visible_to(user).filter(updated_at__gte=since).order_by("-created_at", "-id")
        got = list(qs.values_list("pk", flat=True))
        assert got == expected, since
        # Across a keyset boundary, and combined with the status copy.
        if len(got) > 2:
            pivot = IntelRecord.objects.get(pk=got[1])
            assert list(qs.filter(created_at__lt=pivot.created_at).values_list("pk", flat=True)) == got[2:]
        archived = IntelRecord.objects.visible_to(user).filter(updated_at__gte=since, status="archived")
        assert sorted(archived.values_list("pk", flat=True)) == sorted(naive(user, since, "archived"))
    assert nonempty >= 3


def test_the_range_is_read_from_the_recipient_rows_for_a_state(officer_uz, changed_world):
    """For a state the range is on the recipient join (its copy), not on the record."""
    sql = str(IntelRecord.objects.visible_to(officer_uz).filter(updated_at__gte=START).query)
    recipients = IntelRecordRecipient._meta.db_table
    assert recipients in sql
    assert re.search(r'visible_row"?\."?updated_at"? >=', sql), sql
    assert '"intel_intelrecord"."updated_at" >=' not in sql


@pytest.mark.postgres
@pytest.mark.django_db
def test_web_connections_plan_serially_and_workers_in_parallel(monkeypatch):
    """LIMIT 51 pages on a 2-core box: a Gather's worker start-up cost more than the page
    (settings' connection options); Celery workers get PostgreSQL's default back (core.db)."""
    from core import db as core_db

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
    monkeypatch.setattr(core_db, "IN_WORKER", True)
    core_db.set_connection_timeouts(sender=None, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == str(core_db.WORKER_MAX_PARALLEL_WORKERS_PER_GATHER)
