"""`?updated_since=` pages are ordered by (updated_at, id), oldest first, with a keyset cursor (issue 16).

A syncing partner resumes from the last change it saw: paging with `next` must return
every matching row it may see exactly once, in that order, ties on updated_at included,
and nothing out of its scope. The updated_at values here are set on the records and
their recipient copies together (what save() keeps in step), in an order unrelated to
creation, in runs of equal values that straddle page boundaries.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from core.sharing import grant
from donors.choices import DonorType
from donors.models import Donor
from intel.models import IntelRecord, IntelRecordRecipient

from .conftest import MARKINGS

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
CUTOFF = T0 + timedelta(seconds=3)
N = 30


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def changed_at(i: int) -> datetime:
    """A scrambled order (7 is prime to N), three rows per second: ties everywhere."""
    return T0 + timedelta(seconds=(i * 7 % N) // 3)


def set_updated_at(model, pk: int, when: datetime) -> None:
    model.objects.filter(pk=pk).update(updated_at=when)
    if model is IntelRecord:
        IntelRecordRecipient.objects.filter(content_object_id=pk).update(updated_at=when)


@pytest.fixture
def world(officer_kz, officer_kg, kz, uz, kg):
    """N records of KZ (two in three shared with UZ) and N / 3 of KG shared with nobody,
    created newest-last, changed in a scrambled order."""

    def make(author, state, prefix, n):
        return IntelRecord.objects.bulk_create(
            [
                IntelRecord(
                    reference=f"{prefix}-{i:03d}",
                    kind="general",
                    title=f"{prefix} {i}",
                    originating_state=state,
                    author=author,
                    created_at=T0 - timedelta(days=400 - i),
                    **MARKINGS,
                )
                for i in range(n)
            ]
        )

    kz_records = make(officer_kz, kz, "ORD-KZ", N)
    kg_records = make(officer_kg, kg, "ORD-KG", N // 3)
    grant(IntelRecord, [r.pk for r in kz_records], [kz], ("view", "change", "share"))
    grant(IntelRecord, [r.pk for i, r in enumerate(kz_records) if i % 3], [uz], ("view",))
    grant(IntelRecord, [r.pk for r in kg_records], [kg], ("view", "change", "share"))
    for i, record in enumerate([*kz_records, *kg_records]):
        set_updated_at(IntelRecord, record.pk, changed_at(i))
    return kz_records, kg_records


def expected(queryset) -> list[int]:
    """The naive answer: every visible row changed at or after CUTOFF, by (updated_at, id)."""
    rows = [(r.updated_at, r.pk) for r in queryset if r.updated_at >= CUTOFF]
    return [pk for _when, pk in sorted(rows)]


def page_through(api, url: str) -> tuple[list[int], list[str]]:
    """Every id of every page following `next`, and the page URLs."""
    ids, urls = [], []
    while url:
        urls.append(url)
        response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
        assert len(urls) < 100
    return ids, urls


def visible_records(user) -> list[IntelRecord]:
    state_id = user.state_id
    out = []
    for record in IntelRecord.objects.all():
        if state_id is None or state_id in record.shared_state_ids("view"):
            out.append(record)
    return out


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
@pytest.mark.parametrize("size", [1, 4, 7, 50])
def test_records_pages_follow_updated_at_and_id_exactly_once(request, persona, size, world, api_for):
    user = request.getfixturevalue(persona)
    want = expected(visible_records(user))
    assert len(want) >= 12  # ties on updated_at span page boundaries at sizes 4 and 7
    api = api_for(user)
    ids, urls = page_through(api, f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&page_size={size}")
    assert ids == want  # in (updated_at, id) order, each once, nothing else
    assert len(urls) == -(-len(want) // size)  # no empty last page
    if persona == "officer_uz":
        kg_ids = {r.pk for r in world[1]}
        assert not kg_ids & set(ids)


def test_the_inbox_and_other_filters_keep_the_order(officer_uz, world, api_for):
    api = api_for(officer_uz)
    base = f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&inbox=true&page_size=4"
    ids, _urls = page_through(api, base)
    assert ids == expected(r for r in visible_records(officer_uz) if r.originating_state_id != officer_uz.state_id)


def test_previous_goes_back_over_the_same_rows(officer_uz, world, api_for):
    api = api_for(officer_uz)
    ids, urls = page_through(api, f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&page_size=4")
    # From the last page back to the first, through `previous`.
    pages = []
    response = api.get(urls[-1]).json()
    while True:
        pages.insert(0, [row["id"] for row in response["results"]])
        if not response["previous"]:
            break
        response = api.get(response["previous"]).json()
    assert [pk for page in pages for pk in page] == ids


def test_the_cursor_holds_the_updated_at_position(officer_uz, world, api_for):
    api = api_for(officer_uz)
    body = api.get(f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&page_size=4").json()
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    position = parse_qs(base64.b64decode(cursor).decode())["p"][0]
    last = IntelRecord.objects.get(pk=body["results"][-1]["id"])
    assert position == f"{last.updated_at.isoformat()},{last.pk}"
    # A cursor of another ordering (the plain list's offset cursor) or a broken one is a 400.
    for bad in ("bz0xMCZwPTIwMjY=", base64.b64encode(b"p=2026-06-01T08:00:00%2B00:00").decode()):
        response = api.get(f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&cursor={bad}")
        assert response.status_code == 400, response.content
        assert "cursor" in response.json()


def test_updated_since_orders_the_sql_on_the_recipient_copy_for_a_state(officer_uz, world, api_for):
    """For a state user the order and the keyset are on the recipient rows' copy (read in
    order from (group, updated_at, record)), not on the record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(officer_uz)
    first = api.get(f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&page_size=4").json()
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(first["next"]).status_code == 200
    sql = next(q["sql"] for q in ctx.captured_queries if "intel_intelrecordrecipient" in q["sql"])
    assert re.search(r'ORDER BY "?visible_row"?\."?updated_at"? ASC, "?visible_row"?\."?content_object_id"? ASC', sql)
    # A row comparison on PostgreSQL; its expansion (a > x OR a = x AND b > y) on SQLite.
    assert re.search(r'\("?visible_row"?\."?updated_at"?, "?visible_row"?\."?content_object_id"?\) >', sql) or (
        connection.vendor == "sqlite" and re.search(r'visible_row"?\."?content_object_id"? > \d+', sql)
    ), sql
    assert '"intel_intelrecord"."updated_at"' not in sql.split("FROM", 1)[1]


@pytest.fixture
def donors():
    rows = Donor.objects.bulk_create(
        [
            Donor(name=f"Donor {i:03d}", type=DonorType.values[0], confidential=i % 5 == 0, created_at=T0)
            for i in range(N)
        ]
    )
    for i, donor in enumerate(rows):
        set_updated_at(Donor, donor.pk, changed_at(i))
    return rows


@pytest.mark.parametrize("size", [1, 4, 50])
def test_donor_pages_follow_updated_at_and_id_exactly_once(coordinator, donors, size, api_for):
    want = expected(Donor.objects.visible_to(coordinator))
    if not coordinator.has_perm("donors.view_confidential_donor"):
        assert not {d.pk for d in donors if d.confidential} & set(want)
    assert len(want) >= 12
    ids, _urls = page_through(api_for(coordinator), f"/api/v1/donors/?updated_since={stamp(CUTOFF)}&page_size={size}")
    assert ids == want


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
def test_a_substance_filter_keeps_the_order_and_the_keyset(request, persona, officer_kz, uz, api_for):
    """A coordinator's substance filter orders on the substance rows (drive_from): the
    keyset takes the record's updated_at with the id of those rows; a state's takes the
    recipient copy."""
    from tests.intel.test_filter_indexes import seizure

    made = [seizure(officer_kz, ["heroin"] if i % 4 else ["opium"], recipients=[uz]) for i in range(12)]
    for i, record in enumerate(made):
        set_updated_at(IntelRecord, record.pk, T0 + timedelta(seconds=(i * 5 % 12) // 2))
    user = request.getfixturevalue(persona)
    want = [
        pk
        for _w, pk in sorted(
            (r.updated_at, r.pk)
            for r in IntelRecord.objects.filter(pk__in=[m.pk for i, m in enumerate(made) if i % 4])
            if r.updated_at >= CUTOFF
        )
    ]
    assert len(want) >= 3
    ids, _urls = page_through(
        api_for(user), f"/api/v1/intel/records/?updated_since={stamp(CUTOFF)}&substance=heroin&page_size=2"
    )
    assert ids == want
