"""The operations API: create, list, update within permissions, transitions and consent."""

import pytest

from operations.choices import Consent, Status
from operations.models import JointOperation, TransitionLog

from .conftest import advance

pytestmark = pytest.mark.django_db


def _payload(**overrides):
    return {
        "code_name": "Steppe",
        "operation_type": "controlled_delivery",
        "objective": "Deliver under control to the buyers in Almaty.",
        "planned_start": "2026-12-01",
        "planned_end": "2026-12-20",
        "participants": [{"state": "UZ", "role": "participant"}, {"state": "DE", "role": "observer"}],
        **overrides,
    }


def test_an_officer_creates_a_draft_led_by_their_state(api_for, officer_kz, uz, de):
    response = api_for(officer_kz).post("/api/v1/operations/", _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lead_state"] == "KZ" and body["status"] == "draft" and body["reference"].startswith("JO-")
    assert {(p["state"], p["role"]) for p in body["participants"]} == {
        ("KZ", "lead"),
        ("UZ", "participant"),
        ("DE", "observer"),
    }


def test_bad_input_gets_400_with_field_messages(api_for, officer_kz, uz, de):
    api = api_for(officer_kz)
    response = api.post("/api/v1/operations/", _payload(planned_end="2026-11-01"), format="json")
    assert response.status_code == 400 and "planned_end" in response.json()
    response = api.post("/api/v1/operations/", _payload(operation_type="raid", participants=[]), format="json")
    assert response.status_code == 400 and "operation_type" in response.json()
    assert not JointOperation.objects.exists()


def test_coordinators_and_analysts_cannot_create(api_for, coordinator, analyst):
    for user in (coordinator, analyst):
        assert api_for(user).post("/api/v1/operations/", _payload(participants=[]), format="json").status_code == 403


def test_the_lead_updates_a_draft_and_a_participant_may_not(api_for, operation, officer_kz, officer_uz):
    url = f"/api/v1/operations/{operation.pk}/"
    assert api_for(officer_uz).patch(url, {"code_name": "Mine"}, format="json").status_code == 403
    response = api_for(officer_kz).patch(url, {"code_name": "Steppe wind"}, format="json")
    assert response.status_code == 200 and response.json()["code_name"] == "Steppe wind"


def test_a_material_edit_through_the_api_resets_consents(api_for, operation, officer_kz, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    response = api_for(officer_kz).patch(
        f"/api/v1/operations/{operation.pk}/",
        {"planned_start": "2026-12-02", "planned_end": "2027-01-02"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "proposed" and body["version"] == 2
    assert {p["consent"] for p in body["participants"]} == {"pending"}


def test_editing_after_approval_is_a_conflict(api_for, operation, officer_kz, coordinator):
    advance(operation, Status.APPROVED, coordinator)
    response = api_for(officer_kz).patch(f"/api/v1/operations/{operation.pk}/", {"code_name": "x"}, format="json")
    assert response.status_code == 409


def test_transitions_endpoint_walks_the_lifecycle(api_for, operation, officer_kz, officer_uz, coordinator):
    url = f"/api/v1/operations/{operation.pk}/"
    assert api_for(officer_kz).post(url + "transitions/", {"transition": "propose"}).json()["status"] == "proposed"
    body = api_for(officer_uz).post(url + "consent/", {"decision": "granted", "conditions": "UZ customs lead"}).json()
    assert body["status"] == "awaiting_approval"
    body = api_for(coordinator).post(url + "transitions/", {"transition": "approve", "comment": "Go"}).json()
    assert body["status"] == "approved"
    assert [t["transition"] for t in body["transitions"]] == ["propose", "request_approval", "approve"]


def test_an_illegal_transition_is_409(api_for, operation, coordinator, officer_kz):
    url = f"/api/v1/operations/{operation.pk}/transitions/"
    assert api_for(officer_kz).post(url, {"transition": "start"}).status_code == 409
    assert api_for(officer_kz).post(url, {"transition": "request_approval"}).status_code == 409
    assert api_for(officer_kz).post(url, {"transition": "fly"}).status_code == 409
    # Approval while Uzbekistan's consent is pending.
    api_for(officer_kz).post(url, {"transition": "propose"})
    assert api_for(coordinator).post(url, {"transition": "approve"}).status_code == 409


def test_a_stale_transition_is_409(api_for, operation, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    url = f"/api/v1/operations/{operation.pk}/transitions/"
    response = api_for(coordinator).post(url, {"transition": "reject", "comment": "x", "expected_status": "proposed"})
    assert response.status_code == 409
    assert not TransitionLog.objects.filter(operation=operation, transition="reject").exists()


def test_a_rejection_without_a_reason_is_refused(api_for, operation, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    response = api_for(coordinator).post(f"/api/v1/operations/{operation.pk}/transitions/", {"transition": "reject"})
    assert response.status_code == 400 and "comment" in response.json()
    operation.refresh_from_db()
    assert operation.status == Status.AWAITING_APPROVAL


def test_a_forbidden_transition_is_403(api_for, operation, officer_uz):
    response = api_for(officer_uz).post(f"/api/v1/operations/{operation.pk}/transitions/", {"transition": "propose"})
    assert response.status_code == 403


def test_consent_is_for_the_callers_state_only(api_for, operation, officer_kz, officer_uz, partner_api):
    api_for(officer_kz).post(f"/api/v1/operations/{operation.pk}/transitions/", {"transition": "propose"})
    url = f"/api/v1/operations/{operation.pk}/consent/"
    # The lead state's consent came with the proposal; Uzbekistan's is still pending.
    assert operation.participations.get(state__code="UZ").consent == Consent.PENDING
    assert api_for(officer_uz).post(url, {"decision": "refused", "conditions": "Not now"}).status_code == 200
    assert operation.participations.get(state__code="UZ").consent == Consent.REFUSED
    assert operation.participations.get(state__code="KZ").consent == Consent.GRANTED
    # A partner-system account of Kazakhstan is no liaison officer.
    assert partner_api.post(url, {"decision": "withdrawn"}).status_code == 403


def test_there_is_no_delete(api_for, operation, officer_kz):
    # Refused before routing to a handler, and no handler exists: records are archived, never deleted.
    assert api_for(officer_kz).delete(f"/api/v1/operations/{operation.pk}/").status_code in (403, 405)
    assert JointOperation.objects.filter(pk=operation.pk).exists()


def test_filters(api_for, operation, officer_kz, coordinator, kg):
    from .conftest import build_operation

    build_operation(
        officer_kz,
        {kg: "participant"},
        operation_type="regional_operation",
        planned_start=operation.planned_start.replace(year=2030),
    )
    api = api_for(coordinator)
    assert len(api.get("/api/v1/operations/?state=UZ").json()["results"]) == 1
    assert len(api.get("/api/v1/operations/?operation_type=regional_operation").json()["results"]) == 1
    assert len(api.get("/api/v1/operations/?year=2030").json()["results"]) == 1
    assert len(api.get("/api/v1/operations/?status=draft").json()["results"]) == 2
    assert len(api.get("/api/v1/operations/?status=approved").json()["results"]) == 0
