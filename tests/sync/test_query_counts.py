"""The change feed and `?updated_since=` cost the same number of queries at 50 and 500 rows (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.sharing import forget_user_caches, grant
from intel.models import IntelRecord
from sync.models import ChangeEvent

pytestmark = pytest.mark.django_db

ROWS = 520


@pytest.fixture
def many(officer_kz, kz, uz):
    """ROWS records of KZ shared with UZ (through the permission core, which writes their
    upsert events), then tombstones for UZ of ROWS / 2 records it lost."""
    from tests.intel.conftest import MARKINGS

    records = IntelRecord.objects.bulk_create(
        [
            IntelRecord(
                reference=f"SYNC-{i:05d}",
                kind="general",
                title=f"Record {i}",
                originating_state=kz,
                author=officer_kz,
                **MARKINGS,
            )
            for i in range(ROWS)
        ]
    )
    ids = [r.pk for r in records]
    grant(IntelRecord, ids, [kz], ("view", "change", "share"))
    grant(IntelRecord, ids, [uz], ("view",))
    # Tombstones of other records UZ lost (they name objects it no longer sees).
    gone = IntelRecord.objects.bulk_create(
        [
            IntelRecord(
                reference=f"SYNC-GONE-{i}",
                kind="general",
                title="Gone",
                originating_state=kz,
                author=officer_kz,
                **MARKINGS,
            )
            for i in range(ROWS // 2)
        ]
    )
    ChangeEvent.objects.bulk_create(
        [ChangeEvent(kind="intel.record", object_id=r.pk, op=ChangeEvent.Op.TOMBSTONE, state=uz) for r in gone]
    )
    return ids


def counts(api, user, url, sizes, expect, django_assert_max_num_queries):
    api.get(f"{url}page_size=1")  # process-wide caches (content types, permission ids) filled once
    out = []
    for size in sizes:
        forget_user_caches(user)  # each request pays what a real one pays
        with django_assert_max_num_queries(12) as ctx:
            response = api.get(f"{url}page_size={size}")
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == expect(size)
        out.append(len(ctx.captured_queries))
    return out


@pytest.mark.parametrize("kind", ["", "kind=intel.record&"])
def test_the_change_feed_costs_the_same_queries_at_50_and_500_rows(
    many, officer_uz, api_for, django_assert_max_num_queries, kind
):
    api = api_for(officer_uz)
    first = counts(api, officer_uz, f"/api/v1/changes/?{kind}", (50, 500), lambda n: n, django_assert_max_num_queries)
    # From a cursor in the middle: the same cost, with tombstones on the page.
    middle = ChangeEvent.objects.order_by("-id").values_list("id", flat=True)[550]
    url = f"/api/v1/changes/?{kind}after={middle}&"
    later = counts(api, officer_uz, url, (50, 500), lambda n: n, django_assert_max_num_queries)
    assert first[0] == first[1] and later[0] == later[1], (first, later)


@pytest.mark.parametrize("since", ["2000-01-01T00:00:00Z", "recent"])
def test_updated_since_costs_the_same_queries_at_50_and_500_rows(
    many, officer_uz, api_for, django_assert_max_num_queries, since
):
    if since == "recent":
        cutoff = timezone.now() - dt.timedelta(minutes=5)
        since = cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")
    api = api_for(officer_uz)
    url = f"/api/v1/intel/records/?updated_since={since}&"
    result = counts(api, officer_uz, url, (50, 500), lambda n: n, django_assert_max_num_queries)
    assert result[0] == result[1], result
    inbox = counts(api, officer_uz, f"{url}inbox=true&", (50, 500), lambda n: n, django_assert_max_num_queries)
    assert inbox[0] == inbox[1], inbox


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
def test_updated_since_from_a_cursor_costs_the_same_queries_at_50_and_500_rows(
    request, many, persona, api_for, django_assert_max_num_queries
):
    """The keyset page after a cursor ((updated_at, id) > the last row's), for a state
    officer (on the recipient rows) and a centre role (on the record)."""
    from urllib.parse import parse_qs, urlsplit

    user = request.getfixturevalue(persona)
    api = api_for(user)
    url = "/api/v1/intel/records/?updated_since=2000-01-01T00:00:00Z&"
    first = api.get(f"{url}page_size=10").json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    result = counts(api, user, f"{url}cursor={cursor}&", (50, 500), lambda n: n, django_assert_max_num_queries)
    assert result[0] == result[1], result
