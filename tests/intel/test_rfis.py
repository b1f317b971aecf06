"""Requests for information: addressees, deadlines, answers, transitions, overdue reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from intel.models import IntelRecord, RequestForInformation
from intel.tasks import flag_overdue_rfis

from .conftest import MARKINGS

pytestmark = pytest.mark.django_db
URL = "/api/v1/intel/rfis/"


def rfi_payload(**changes):
    return {
        "title": "Owner of a lorry",
        **MARKINGS,
        "addressees": ["UZ"],
        "purpose": "Investigation",
        "legal_basis": "CARICC Agreement",
        "questions": ["Who owns it?"],
        "urgency": "urgent",
        **changes,
    }


@pytest.fixture
def rfi(officer_kz, uz, api_for):
    response = api_for(officer_kz).post(URL, rfi_payload(), format="json")
    assert response.status_code == 201, response.content
    return IntelRecord.objects.get(pk=response.json()["id"])


def test_urgent_means_eight_hours(rfi):
    delta = rfi.rfi.deadline - rfi.created_at
    assert timedelta(hours=7, minutes=59) < delta < timedelta(hours=8, minutes=1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"addressees": []}, "addressees"),
        ({"urgency": "date", "deadline": "2020-01-01T00:00:00Z"}, "deadline"),
        ({"urgency": "date"}, "deadline"),
        ({"questions": []}, "questions"),
    ],
    ids=["no addressee", "past deadline", "date without deadline", "no question"],
)
def test_bad_requests_get_a_field_error_and_save_nothing(officer_kz, uz, api_for, changes, field):
    response = api_for(officer_kz).post(URL, rfi_payload(**changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not IntelRecord.objects.exists()


def test_the_ui_form_refuses_a_request_without_addressee(officer_kz, uz, client_for):
    data = {
        **MARKINGS,
        "title": "T",
        "purpose": "P",
        "legal_basis": "L",
        "questions": "Q?",
        "urgency": "standard",
        "ident-TOTAL_FORMS": "0",
        "ident-INITIAL_FORMS": "0",
    }
    response = client_for(officer_kz).post("/intel/rfis/new/", data)
    assert response.status_code == 200
    assert "addressees" in response.context["form"].errors
    assert not IntelRecord.objects.exists()


def test_an_answer_is_shared_with_the_requester_and_closes_the_loop(rfi, officer_uz, officer_kz, officer_kg, api_for):
    response = api_for(officer_uz).post(
        f"{URL}{rfi.pk}/respond/", {"title": "Owner found", **MARKINGS, "outcome": "answered"}, format="json"
    )
    assert response.status_code == 201, response.content
    answer = IntelRecord.objects.get(pk=response.json()["id"])
    assert answer.kind == "response" and answer.in_reply_to == rfi
    assert IntelRecord.objects.visible_to(officer_kz).filter(pk=answer.pk).exists()
    assert not IntelRecord.objects.visible_to(officer_kg).filter(pk=answer.pk).exists()
    rfi.rfi.refresh_from_db()
    assert rfi.rfi.status == "answered"
    detail = api_for(officer_kz).get(f"/api/v1/intel/records/{rfi.pk}/").json()
    assert detail["rfi"]["responses"] == [answer.pk]
    # Answered: a second answer is an illegal transition.
    again = api_for(officer_uz).post(f"{URL}{rfi.pk}/respond/", {"title": "More", **MARKINGS}, format="json")
    assert again.status_code == 409


def test_only_an_addressee_may_answer(rfi, officer_kz, api_for):
    response = api_for(officer_kz).post(f"{URL}{rfi.pk}/respond/", {"title": "Self", **MARKINGS}, format="json")
    assert response.status_code == 403
    assert IntelRecord.objects.count() == 1


def test_an_outsider_gets_404(rfi, officer_kg, api_for):
    assert (
        api_for(officer_kg).post(f"{URL}{rfi.pk}/respond/", {"title": "X", **MARKINGS}, format="json").status_code
        == 404
    )
    assert api_for(officer_kg).get(f"{URL}{rfi.pk}/").status_code == 404


def test_closing_twice_is_a_conflict(rfi, officer_kz, api_for):
    assert api_for(officer_kz).post(f"{URL}{rfi.pk}/close/").status_code == 204
    assert api_for(officer_kz).post(f"{URL}{rfi.pk}/close/").status_code == 409


def test_overdue_requests_are_flagged_and_mailed_once(rfi, officer_uz, officer_kg, django_capture_on_commit_callbacks):
    assert flag_overdue_rfis() == 0
    RequestForInformation.objects.filter(pk=rfi.rfi.pk).update(deadline=timezone.now() - timedelta(hours=1))
    # A notification event: the e-mail leaves after the commit (notifications.tasks).
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_rfis() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer_uz.email]
    assert rfi.reference in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_rfis() == 0
    assert len(mail.outbox) == 1
    rfi.rfi.refresh_from_db()
    assert rfi.rfi.is_overdue


def test_overdue_is_computed_from_the_deadline(rfi):
    r = rfi.rfi
    assert not r.is_overdue
    r.deadline = timezone.now() - timedelta(minutes=1)
    assert r.is_overdue
    r.status = "answered"
    assert not r.is_overdue
