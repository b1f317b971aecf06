"""/api/v1/changes/: what changed in the caller's scope, including what left it."""

from __future__ import annotations

import pytest

from intel import services
from intel.models import IntelRecord
from sync.models import ChangeEvent

pytestmark = pytest.mark.django_db


def feed(client, **params):
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    return response.json()


def records_in(page, op="upsert"):
    return [c["object_id"] for c in page["results"] if c["kind"] == "intel.record" and c["op"] == op]


def test_a_shared_record_appears_for_the_recipient_and_not_for_another_state(
    make_record, officer_kz, officer_uz, officer_kg, api_for, uz
):
    record = make_record(officer_kz, recipients=[uz])
    assert record.pk in records_in(feed(api_for(officer_uz)))
    assert record.pk not in records_in(feed(api_for(officer_kg)))


def test_a_withdrawn_record_becomes_a_tombstone_naming_only_id_and_kind(
    make_record, officer_kz, officer_uz, api_for, uz
):
    record = make_record(officer_kz, recipients=[uz])
    cursor = feed(api_for(officer_uz))["cursor"]
    services.set_dissemination(user=officer_kz, record=record, states=[], shortcut="")
    page = feed(api_for(officer_uz), after=cursor)
    tombstones = [c for c in page["results"] if c["op"] == "tombstone"]
    assert [(t["kind"], t["object_id"], t["url"]) for t in tombstones] == [("intel.record", record.pk, None)]
    assert set(tombstones[0]) == {"id", "kind", "object_id", "op", "at", "url"}
    # The originator still sees it: no tombstone in its feed.
    assert records_in(feed(api_for(officer_kz), after=cursor), op="tombstone") == []


def test_an_archived_record_is_a_tombstone_for_whoever_had_it(
    make_record, officer_kz, officer_uz, officer_kg, api_for, uz
):
    record = make_record(officer_kz, recipients=[uz])
    cursor = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first()
    record.status = "archived"
    record.save()
    assert records_in(feed(api_for(officer_uz), after=cursor), op="tombstone") == [record.pk]
    assert records_in(feed(api_for(officer_kg), after=cursor), op="tombstone") == []


def test_the_cursor_pages_through_without_gaps(make_record, officer_kz, officer_uz, api_for, uz):
    ids = {make_record(officer_kz, recipients=[uz]).pk for _ in range(5)}
    client = api_for(officer_uz)
    seen, page = set(), feed(client, page_size=2)
    seen |= set(records_in(page))
    while page["next"]:
        page = client.get(page["next"]).json()
        seen |= set(records_in(page))
    assert ids <= seen


@pytest.mark.parametrize(
    "params",
    [{"page_size": "0"}, {"page_size": "abc"}, {"page_size": "501"}, {"after": "-1"}, {"kind": "nope.thing"}],
)
def test_invalid_parameters_answer_400_naming_them(api_for, officer_uz, params):
    response = api_for(officer_uz).get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_feed_costs_the_same_queries_at_50_and_500_rows(make_record, officer_kz, officer_uz, api_for, uz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_record(officer_kz, recipients=[uz])
    # Pad the feed with events: cheap rows about the same records.
    record_ids = list(IntelRecord.objects.values_list("id", flat=True))
    ChangeEvent.objects.bulk_create(
        [ChangeEvent(kind="intel.record", object_id=record_ids[i % len(record_ids)], op="upsert") for i in range(600)]
    )
    client = api_for(officer_uz)
    feed(client, page_size=50)  # the user's groups and permissions are cached after a first call
    counts = []
    for size in (50, 500):
        with CaptureQueriesContext(connection) as ctx:
            page = feed(client, page_size=size)
        assert len(page["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_updated_since_filters_every_collection_and_validates(make_record, officer_kz, api_for):
    from django.utils import timezone

    make_record(officer_kz)
    client = api_for(officer_kz)
    future = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    assert client.get("/api/v1/intel/records/", {"updated_since": "2000-01-01T00:00:00Z"}).json()["results"]
    assert client.get("/api/v1/intel/records/", {"updated_since": future}).json()["results"] == []
    for path in ("/api/v1/intel/records/", "/api/v1/states/", "/api/v1/operations/", "/api/v1/reports/"):
        response = client.get(path, {"updated_since": "yesterday"})
        assert response.status_code == 400, path
        assert "updated_since" in response.json()


@pytest.mark.parametrize(
    ("path", "param"),
    [("/api/v1/reports/", "scheduled"), ("/api/v1/intel/records/", "inbox"), ("/api/v1/operations/", "archived")],
)
def test_boolean_filters_refuse_anything_but_true_or_false(api_for, officer_kz, path, param):
    client = api_for(officer_kz)
    assert client.get(path, {param: "true"}).status_code == 200
    response = client.get(path, {param: "2"})
    assert response.status_code == 400 and param in response.json()
