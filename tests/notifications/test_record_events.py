"""Intel events: who is told that a record reached, left, changed or awaits their state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from intel import exchange, services
from intel.models import IntelRecord
from intel.tasks import flag_overdue_rfis
from notifications.events import Event
from notifications.models import Notification
from notifications.services import unread_count
from notifications.tasks import remind_reviews

from .conftest import MARKINGS, told

pytestmark = pytest.mark.django_db


def test_a_record_shared_with_my_state_tells_its_officers_only(
    make_record, officer_kz, officer_uz, officer_uz2, officer_kg, partner_kz, coordinator, uz
):
    record = make_record(officer_kz, recipients=[uz])
    assert told(Event.RECORD_SHARED) == {"officer-uz", "officer-uz-2"}
    n = Notification.objects.get(user=officer_uz)
    assert n.reference == record.reference and record.title not in n.message
    assert unread_count(officer_uz) == 1 and unread_count(officer_kg) == 0 and unread_count(officer_kz) == 0


def test_widening_the_dissemination_tells_only_the_newly_reached_states(
    make_record, officer_kz, officer_uz, officer_kg, uz, kg
):
    record = make_record(officer_kz, recipients=[uz])
    services.set_dissemination(user=officer_kz, record=record, states=[uz, kg])
    assert told(Event.RECORD_SHARED) == {"officer-uz", "officer-kg"}
    assert Notification.objects.filter(user=officer_uz).count() == 1


def test_a_withdrawn_record_disappears_from_the_notifications_and_a_bare_notice_remains(
    make_record, officer_kz, officer_uz, uz, client_for, api_for
):
    record = make_record(officer_kz, recipients=[uz], title="Secret lorry route")
    assert unread_count(officer_uz) == 1
    services.set_dissemination(user=officer_kz, record=record, states=[])
    readable = list(Notification.objects.readable_by(officer_uz))
    # The record_shared notification is gone; the withdrawal notice names the reference only.
    assert [n.event for n in readable] == [Event.RECORD_WITHDRAWN]
    assert not readable[0].has_link
    page = client_for(officer_uz).get("/notifications/").content.decode()
    assert record.reference in page and "Secret lorry route" not in page
    assert f"/notifications/{Notification.objects.get(event=Event.RECORD_SHARED).pk}/" not in page
    shared = Notification.objects.get(event=Event.RECORD_SHARED)
    assert client_for(officer_uz).get(f"/notifications/{shared.pk}/").status_code == 404
    api = api_for(officer_uz)
    results = api.get("/api/v1/notifications/").json()["results"]
    assert [r["event"] for r in results] == [Event.RECORD_WITHDRAWN] and results[0]["link"] is None
    assert api.post(f"/api/v1/notifications/{shared.pk}/read/").status_code == 404


def test_an_rfi_tells_the_addressees_and_its_answer_tells_the_requester(officer_kz, officer_uz, officer_kg, uz):
    rfi = services.create_rfi(
        user=officer_kz,
        fields={"title": "Who owns the lorry?", **MARKINGS},
        addressees=[uz],
        purpose="Investigation",
        legal_basis="Agreement",
        questions=["Owner?"],
    )
    assert told(Event.RFI_RECEIVED) == {"officer-uz"}
    services.respond(user=officer_uz, rfi_record=rfi, fields={"title": "The owner", **MARKINGS})
    assert told(Event.RFI_ANSWERED) == {"officer-kz"}
    assert "officer-kg" not in told()


def test_an_overdue_rfi_tells_the_addressees_once(officer_kz, officer_uz, uz):
    rfi = services.create_rfi(
        user=officer_kz,
        fields={"title": "Q", **MARKINGS},
        addressees=[uz],
        purpose="p",
        legal_basis="l",
        questions=["q"],
    )
    rfi.rfi.deadline = timezone.now() - dt.timedelta(hours=1)
    rfi.rfi.save()
    assert flag_overdue_rfis() == 1
    assert flag_overdue_rfis() == 0
    assert told(Event.RFI_OVERDUE) == {"officer-uz"}
    assert Notification.objects.filter(event=Event.RFI_OVERDUE).count() == 1


def test_a_dissemination_request_asks_the_originators_officers_to_decide(
    make_record, officer_kz, officer_uz, officer_kg, uz, kg
):
    record = make_record(officer_kz, recipients=[uz], tlp="GREEN")
    services.request_dissemination(user=officer_uz, record=record, states=[kg], reason="They hold the driver")
    assert told(Event.DISSEMINATION_REQUESTED) == {"officer-kz"}


def test_archiving_tells_the_recipients_and_stays_visible(make_record, officer_kz, officer_uz, officer_kg, uz):
    record = make_record(officer_kz, recipients=[uz])
    exchange.archive(officer_kz, record)
    assert told(Event.RECORD_ARCHIVED) == {"officer-uz"}
    assert Notification.objects.readable_by(officer_uz).filter(event=Event.RECORD_ARCHIVED).exists()


def test_a_remarked_record_tells_every_recipient(make_record, officer_kz, officer_uz, officer_kg, uz, kg):
    from intel.signals import record_remarked

    record = make_record(officer_kz, recipients=[uz, kg])
    record_remarked.send(sender=IntelRecord, record=record, old={}, new={}, reason="", by=officer_kz, downgrade=False)
    assert told(Event.RECORD_REMARKED) == {"officer-uz", "officer-kg"}


def test_a_remarking_request_asks_the_originator(make_record, officer_kz, officer_uz, uz):
    models = pytest.importorskip("intel.models")
    if not hasattr(models, "RemarkingRequest"):
        pytest.skip("re-marking requests not there")
    record = make_record(officer_kz, recipients=[uz])
    models.RemarkingRequest.objects.create(
        record=record,
        requested_by=officer_uz,
        requesting_state=officer_uz.state,
        tlp="RED",
        handling_code="H0",
        classification="restricted",
        reason="Too wide",
    )
    assert told(Event.REMARKING_REQUESTED) == {"officer-kz"}


def test_the_review_date_reminds_the_originator_once(make_record, officer_kz, officer_uz, uz):
    today = timezone.localdate()
    record = make_record(officer_kz, recipients=[uz], review_date=today)
    make_record(officer_kz, review_date=today + dt.timedelta(days=3), title="later")
    assert remind_reviews() == 1
    assert remind_reviews() == 0
    assert told(Event.REVIEW_DUE) == {"officer-kz"}
    exchange.extend_review(officer_kz, record, today + dt.timedelta(days=30))
    record.refresh_from_db()
    assert record.review_date == today + dt.timedelta(days=30)
