"""Only the originating state widens or narrows dissemination (originator control:
the centre's coordinators too may only ask); a recipient asks, the originator
approves or declines."""

import pytest

from intel import services
from intel.models import DisseminationRequest
from members.models import State

pytestmark = pytest.mark.django_db


def shared_codes(record):
    return sorted(record.shared_states().values_list("code", flat=True))


def test_a_recipient_cannot_widen_dissemination_in_the_api_or_the_ui(
    officer_kz, officer_uz, uz, kg, make_record, api_for, client_for
):
    record = make_record(officer_kz, recipients=[uz])
    response = api_for(officer_uz).post(
        f"/api/v1/intel/records/{record.pk}/share/", {"share_with": ["UZ", "KG"]}, format="json"
    )
    assert response.status_code == 403
    response = client_for(officer_uz).post(f"/intel/records/{record.pk}/share/", {"share_with": [uz.pk, kg.pk]})
    assert response.status_code == 403
    assert shared_codes(record) == ["KZ", "UZ"]


def test_a_recipient_cannot_change_the_record(officer_kz, officer_uz, uz, make_record, api_for):
    record = make_record(officer_kz, recipients=[uz], title="Original")
    response = api_for(officer_uz).patch(f"/api/v1/intel/records/{record.pk}/", {"title": "Hacked"}, format="json")
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.title == "Original"


def test_the_originator_widens_and_narrows(officer_kz, officer_kg, uz, kg, make_record, api_for):
    record = make_record(officer_kz, recipients=[uz])
    api = api_for(officer_kz)
    assert (
        api.post(f"/api/v1/intel/records/{record.pk}/share/", {"share_with": ["UZ", "KG"]}, format="json").status_code
        == 200
    )
    assert shared_codes(record) == ["KG", "KZ", "UZ"]
    assert api_for(officer_kg).get(f"/api/v1/intel/records/{record.pk}/").status_code == 200
    assert api.post(f"/api/v1/intel/records/{record.pk}/share/", {"share_with": []}, format="json").status_code == 200
    assert shared_codes(record) == ["KZ"]
    assert api_for(officer_kg).get(f"/api/v1/intel/records/{record.pk}/").status_code == 404
    # The change is in the record's history, with who made it.
    assert (
        record.history.filter(history_user=officer_kz, history_change_reason__startswith="Dissemination").count() == 2
    )


def test_a_coordinator_may_not_change_a_states_dissemination(coordinator, officer_kz, kg, make_record, api_for):
    record = make_record(officer_kz, tlp="GREEN")
    response = api_for(coordinator).post(
        f"/api/v1/intel/records/{record.pk}/share/", {"share_with": ["KG"]}, format="json"
    )
    assert response.status_code == 403
    assert "Originator control" in response.json()["detail"]
    assert shared_codes(record) == ["KZ"]


def test_shortcuts_resolve_through_the_state_status(officer_kz, uz, kg, de, make_record):
    former = State.objects.create(code="XF", name_en="Former", name_ru="Бывшее", status=State.Status.FORMER)
    record = make_record(officer_kz, shortcut=services.SHORTCUT_MEMBERS)
    assert shared_codes(record) == ["KG", "KZ", "UZ"]
    record = make_record(officer_kz, shortcut=services.SHORTCUT_MEMBERS_OBSERVERS)
    assert shared_codes(record) == ["DE", "KG", "KZ", "UZ"]
    assert former.code not in shared_codes(record)


def test_a_recipient_asks_for_wider_dissemination_and_the_originator_approves(
    officer_kz, officer_uz, officer_kg, uz, kg, make_record, api_for, client_for
):
    record = make_record(officer_kz, recipients=[uz])
    response = api_for(officer_uz).post(
        f"/api/v1/intel/records/{record.pk}/request-dissemination/",
        {"states": ["KG"], "reason": "The courier is Kyrgyz"},
        format="json",
    )
    assert response.status_code == 201
    req = DisseminationRequest.objects.get()
    assert shared_codes(record) == ["KZ", "UZ"]
    # The recipient cannot approve its own request.
    client_for(officer_uz).post(f"/intel/records/{record.pk}/dissemination/{req.pk}/approve/")
    req.refresh_from_db()
    assert req.status == DisseminationRequest.Status.PENDING
    client_for(officer_kz).post(f"/intel/records/{record.pk}/dissemination/{req.pk}/approve/")
    req.refresh_from_db()
    assert req.status == DisseminationRequest.Status.APPROVED
    assert shared_codes(record) == ["KG", "KZ", "UZ"]


def test_the_originator_declines(officer_kz, officer_uz, uz, kg, make_record, client_for):
    record = make_record(officer_kz, recipients=[uz])
    req = services.request_dissemination(user=officer_uz, record=record, states=[kg], reason="why not")
    client_for(officer_kz).post(f"/intel/records/{record.pk}/dissemination/{req.pk}/decline/")
    req.refresh_from_db()
    assert req.status == DisseminationRequest.Status.DECLINED
    assert shared_codes(record) == ["KZ", "UZ"]


def test_records_cannot_be_deleted_and_edits_keep_history(officer_kz, make_record, api_for):
    record = make_record(officer_kz, title="Before")
    api = api_for(officer_kz)
    assert api.delete(f"/api/v1/intel/records/{record.pk}/").status_code == 405
    assert (
        api.patch(
            f"/api/v1/intel/records/{record.pk}/", {"title": "After", "status": "archived"}, format="json"
        ).status_code
        == 200
    )
    record.refresh_from_db()
    assert record.status == "archived"
    assert list(record.history.order_by("history_date").values_list("title", flat=True)) == ["Before", "After"]


def test_the_api_decides_a_dissemination_request_once(officer_kz, officer_uz, uz, kg, make_record, api_for):
    record = make_record(officer_kz, recipients=[uz])
    req = services.request_dissemination(user=officer_uz, record=record, states=[kg], reason="courier is Kyrgyz")
    url = f"/api/v1/intel/records/{record.pk}/decide-dissemination/"
    assert api_for(officer_uz).post(url, {"request": req.pk, "approve": True}, format="json").status_code == 403
    assert api_for(officer_kz).post(url, {"request": req.pk, "approve": True}, format="json").status_code == 204
    assert shared_codes(record) == ["KG", "KZ", "UZ"]
    assert api_for(officer_kz).post(url, {"request": req.pk, "approve": False}, format="json").status_code == 409
