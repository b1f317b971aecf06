"""The bell, the list and the API: the user's own notifications only, marked read, capped, one query."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.models import IntelRecord
from notifications.events import Event
from notifications.models import Notification
from notifications.services import bell_label, unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(make_record, officer_kz, officer_uz, uz):
    return make_record(officer_kz, recipients=[uz])


def test_every_page_shows_the_bell_with_the_unread_count(shared, officer_uz, client_for):
    page = client_for(officer_uz).get("/").content.decode()
    assert 'data-testid="bell-count">1<' in page


def test_the_bell_caps_at_99_plus(shared, officer_uz):
    ct = ContentType.objects.get_for_model(IntelRecord)
    Notification.objects.bulk_create(
        [
            Notification(
                user=officer_uz,
                event=Event.RECORD_SHARED,
                subject_type=ct,
                subject_id=shared.pk,
                reference=shared.reference,
                batch=uuid.uuid4(),
            )
            for _ in range(150)
        ]
    )
    n = unread_count(officer_uz)
    assert n == 100 and bell_label(n) == "99+"


def test_the_bell_count_is_one_query(shared, officer_uz):
    officer_uz.has_perm("intel.view_intelrecord")  # the permission cache, loaded once per request anyway
    from core.sharing import user_group_ids

    user_group_ids(officer_uz)
    with CaptureQueriesContext(connection) as ctx:
        unread_count(officer_uz)
    assert len(ctx.captured_queries) == 1


def test_the_list_opens_the_record_and_marks_read(shared, officer_uz, client_for):
    client = client_for(officer_uz)
    page = client.get("/notifications/").content.decode()
    n = Notification.objects.get(user=officer_uz)
    assert f"/notifications/{n.pk}/" in page and shared.reference in page
    response = client.get(f"/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == shared.get_absolute_url()
    n.refresh_from_db()
    assert n.read_at is not None
    assert unread_count(officer_uz) == 0


def test_mark_all_read(shared, make_record, officer_kz, officer_uz, uz, client_for):
    make_record(officer_kz, recipients=[uz], title="second")
    assert unread_count(officer_uz) == 2
    client_for(officer_uz).post("/notifications/read-all/")
    assert unread_count(officer_uz) == 0


def test_someone_elses_notification_is_404(shared, officer_uz, officer_kg, client_for):
    n = Notification.objects.get(user=officer_uz)
    client = client_for(officer_kg)
    assert client.get(f"/notifications/{n.pk}/").status_code == 404
    client.post(f"/notifications/{n.pk}/read/")
    n.refresh_from_db()
    assert n.read_at is None


def test_the_list_pages_by_keyset(make_record, officer_kz, officer_uz, uz, client_for):
    for i in range(30):
        make_record(officer_kz, recipients=[uz], title=f"r{i}")
    client = client_for(officer_uz)
    first = client.get("/notifications/")
    assert len(first.context["notifications"]) == 25 and first.context["next_url"]
    second = client.get("/notifications/" + first.context["next_url"])
    assert len(second.context["notifications"]) == 5
    assert not {n.pk for n in first.context["notifications"]} & {n.pk for n in second.context["notifications"]}


def test_the_api_lists_marks_read_and_counts_for_the_same_user_only(shared, officer_uz, officer_kg, api_for):
    api = api_for(officer_uz)
    body = api.get("/api/v1/notifications/").json()
    assert len(body["results"]) == 1
    row = body["results"][0]
    assert row["event"] == "record_shared" and row["reference"] == shared.reference and row["is_read"] is False
    assert row["subject_kind"] == "intel.intelrecord" and row["subject_id"] == shared.pk
    assert shared.title not in str(row)
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 1, "label": "1"}
    assert api_for(officer_kg).get(f"/api/v1/notifications/{row['id']}/").status_code == 404
    assert api_for(officer_kg).post(f"/api/v1/notifications/{row['id']}/read/").status_code == 404
    assert api.post(f"/api/v1/notifications/{row['id']}/read/").json() == {"marked": 1}
    assert api.get("/api/v1/notifications/?unread=true").json()["results"] == []
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_anonymous_api_is_refused(api_client):
    assert api_client.get("/api/v1/notifications/").status_code in (401, 403)
