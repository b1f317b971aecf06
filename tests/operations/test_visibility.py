"""Who sees an operation: participating states (any role), coordinators and analysts; others 404."""

import pytest
from django.urls import reverse

from operations.choices import Consent, ParticipantRole, Status
from operations.models import JointOperation, JointOperationGroupObjectPermission
from operations.services import update_operation
from operations.workflow import fire

pytestmark = pytest.mark.django_db


def test_participants_coordinators_and_analysts_see_it(
    operation_with_observer, officer_kz, officer_uz, observer, coordinator, analyst, officer_kg, donor_relations
):
    for user in (officer_kz, officer_uz, observer, coordinator, analyst):
        assert list(JointOperation.objects.visible_to(user)) == [operation_with_observer], user
    for user in (officer_kg, donor_relations):
        assert not JointOperation.objects.visible_to(user).exists(), user


def test_grants_are_direct_fk_rows_on_the_state_groups(operation_with_observer, kz, uz, de):
    grants = set(
        JointOperationGroupObjectPermission.objects.filter(content_object=operation_with_observer).values_list(
            "group__state__code", "permission__codename"
        )
    )
    assert grants == {
        ("KZ", "view_jointoperation"),
        ("KZ", "change_jointoperation"),
        ("UZ", "view_jointoperation"),
        ("DE", "view_jointoperation"),
    }


def test_removing_a_participant_removes_its_view(operation, officer_kz, officer_uz, kg):
    update_operation(operation, officer_kz, {}, {kg.pk: ParticipantRole.PARTICIPANT})
    assert not JointOperation.objects.visible_to(officer_uz).exists()


def test_a_non_participating_officer_gets_404_in_the_ui(client_for, operation, officer_kg):
    client = client_for(officer_kg)
    assert client.get(operation.get_absolute_url()).status_code == 404
    for name in ("operation-update", "operation-delivery", "operation-results"):
        assert client.get(reverse(f"operations:{name}", args=[operation.pk])).status_code == 404
    response = client.post(
        reverse("operations:operation-transition", args=[operation.pk]),
        {"transition": "cancel", "expected_status": "draft", "comment": "x"},
    )
    assert response.status_code == 404
    list_page = client.get(reverse("operations:operation-list"))
    assert operation.reference.encode() not in list_page.content


def test_a_non_participating_officer_gets_404_in_the_api(api_for, operation, officer_kg):
    api = api_for(officer_kg)
    assert api.get(f"/api/v1/operations/{operation.pk}/").status_code == 404
    assert api.patch(f"/api/v1/operations/{operation.pk}/", {"code_name": "x"}, format="json").status_code == 404
    assert api.post(f"/api/v1/operations/{operation.pk}/transitions/", {"transition": "cancel"}).status_code == 404
    assert api.post(f"/api/v1/operations/{operation.pk}/consent/", {"decision": "granted"}).status_code == 404
    assert api.get("/api/v1/operations/").json()["results"] == []


def test_an_observer_participant_sees_but_cannot_consent_in_the_ui(
    client_for, operation_with_observer, officer_kz, observer
):
    fire(operation_with_observer, "propose", officer_kz)
    client = client_for(observer)
    page = client.get(operation_with_observer.get_absolute_url())
    assert page.status_code == 200
    assert b'data-testid="consent-form"' not in page.content
    response = client.post(
        reverse("operations:operation-consent", args=[operation_with_observer.pk]),
        {"decision": "granted", "version": 1},
    )
    assert response.status_code == 403
    assert operation_with_observer.participations.get(state__code="DE").consent == Consent.PENDING


def test_an_observer_participant_sees_but_cannot_consent_in_the_api(
    api_for, operation_with_observer, officer_kz, observer
):
    fire(operation_with_observer, "propose", officer_kz)
    api = api_for(observer)
    assert api.get(f"/api/v1/operations/{operation_with_observer.pk}/").status_code == 200
    response = api.post(f"/api/v1/operations/{operation_with_observer.pk}/consent/", {"decision": "granted"})
    assert response.status_code == 403
    operation_with_observer.refresh_from_db()
    assert operation_with_observer.status == Status.PROPOSED
