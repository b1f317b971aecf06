"""The operations pages: forms, actions derived from the table, consent, stale clicks."""

import pytest
from django.urls import reverse

from members.roles import Role
from operations.choices import Consent, Status
from operations.models import JointOperation, TransitionLog
from operations.workflow import fire
from tests.factories import UserFactory

from .conftest import advance

pytestmark = pytest.mark.django_db


def test_an_officer_creates_an_operation_through_the_form(client_for, officer_kz, uz, de):
    response = client_for(officer_kz).post(
        reverse("operations:operation-create"),
        {
            "code_name": "Silk",
            "operation_type": "controlled_delivery",
            "objective": "Follow the lorry.",
            "classification": "restricted",
            "tlp": "AMBER",
            "planned_start": "2026-12-01",
            "planned_end": "2026-12-10",
            "participants": [uz.pk],
            "observer_states": [de.pk],
        },
    )
    op = JointOperation.objects.get()
    assert response.status_code == 302 and response.url == op.get_absolute_url()
    assert op.lead_state.code == "KZ" and op.status == Status.DRAFT
    assert dict(op.participations.values_list("state__code", "role")) == {
        "KZ": "lead",
        "UZ": "participant",
        "DE": "observer",
    }


def test_the_form_reports_bad_input_and_saves_nothing(client_for, officer_kz, uz):
    response = client_for(officer_kz).post(
        reverse("operations:operation-create"),
        {
            "code_name": "",
            "operation_type": "controlled_delivery",
            "objective": "x",
            "classification": "restricted",
            "tlp": "AMBER",
            "planned_start": "2026-12-10",
            "planned_end": "2026-12-01",
            "participants": [uz.pk],
            "transit_states": [uz.pk],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"code_name", "planned_end", "transit_states"} <= set(errors)
    assert not JointOperation.objects.exists()


def test_only_officers_may_open_the_create_form(client_for, coordinator, analyst, officer_kz):
    assert client_for(coordinator).get(reverse("operations:operation-create")).status_code == 403
    assert client_for(analyst).get(reverse("operations:operation-create")).status_code == 403
    assert client_for(officer_kz).get(reverse("operations:operation-create")).status_code == 200


def test_the_page_shows_only_the_actions_the_user_may_take(client_for, operation, officer_kz, officer_uz, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    page = client_for(coordinator).get(operation.get_absolute_url()).content.decode()
    assert 'data-testid="action-approve"' in page and 'data-testid="action-reject"' in page
    assert 'data-testid="action-start"' not in page
    page = client_for(officer_uz).get(operation.get_absolute_url()).content.decode()
    assert 'data-testid="action-' not in page
    page = client_for(officer_kz).get(operation.get_absolute_url()).content.decode()
    assert 'data-testid="action-cancel"' in page and 'data-testid="action-approve"' not in page


def test_a_stale_click_gets_a_clear_message(client_for, operation, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    colleague = UserFactory(username="coordinator-2", roles=[Role.COORDINATOR])
    fire(operation, "approve", colleague)  # someone else approved while this page was open
    client = client_for(coordinator)
    response = client.post(
        reverse("operations:operation-transition", args=[operation.pk]),
        {"transition": "approve", "expected_status": "awaiting_approval", "comment": ""},
        follow=True,
    )
    assert "changed meanwhile" in response.content.decode()
    assert TransitionLog.objects.filter(operation=operation, transition="approve").count() == 1


def test_a_double_click_on_approve_shows_the_first_result(client_for, operation, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    client = client_for(coordinator)
    url = reverse("operations:operation-transition", args=[operation.pk])
    body = {"transition": "approve", "expected_status": "awaiting_approval", "comment": ""}
    client.post(url, body)
    response = client.post(url, body, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "changed meanwhile" not in page and "is not possible" not in page
    assert TransitionLog.objects.filter(operation=operation, transition="approve").count() == 1


def test_a_rejection_without_reason_is_refused_in_the_ui(client_for, operation, coordinator):
    advance(operation, Status.PROPOSED, coordinator)
    response = client_for(coordinator).post(
        reverse("operations:operation-transition", args=[operation.pk]),
        {"transition": "reject", "expected_status": "proposed", "comment": ""},
        follow=True,
    )
    assert "A reason is required" in response.content.decode()
    operation.refresh_from_db()
    assert operation.status == Status.PROPOSED


def test_consent_through_the_page(client_for, operation, officer_kz, officer_uz):
    fire(operation, "propose", officer_kz)
    client = client_for(officer_uz)
    assert 'data-testid="consent-form"' in client.get(operation.get_absolute_url()).content.decode()
    client.post(
        reverse("operations:operation-consent", args=[operation.pk]),
        {"decision": "granted", "conditions": "", "national_case_reference": "UZ-2026-77", "version": 1},
    )
    uz = operation.participations.get(state__code="UZ")
    assert uz.consent == Consent.GRANTED and uz.national_case_reference == "UZ-2026-77"
    operation.refresh_from_db()
    assert operation.status == Status.AWAITING_APPROVAL
    timeline = client.get(operation.get_absolute_url()).context["timeline"]
    steps = [e["entry"].transition if e["kind"] == "transition" else e["entry"].state.code for e in timeline]
    assert steps == ["propose", "KZ", "UZ", "request_approval"]


def test_a_material_edit_in_the_form_resets_consents(client_for, operation, officer_kz, coordinator, uz):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    response = client_for(officer_kz).post(
        reverse("operations:operation-update", args=[operation.pk]),
        {
            "code_name": operation.code_name,
            "operation_type": "joint_investigation",
            "objective": operation.objective,
            "classification": "restricted",
            "tlp": "AMBER",
            "planned_start": operation.planned_start.isoformat(),
            "planned_end": operation.planned_end.isoformat(),
            "participants": [uz.pk],
        },
        follow=True,
    )
    assert response.context.get("form") is None, response.context["form"].errors
    assert "consent is pending again" in response.content.decode()
    operation.refresh_from_db()
    assert operation.status == Status.PROPOSED and operation.version == 2


def test_participants_cannot_open_the_edit_form(client_for, operation, officer_uz):
    assert client_for(officer_uz).get(reverse("operations:operation-update", args=[operation.pk])).status_code == 403


def test_list_filters(client_for, operation, coordinator):
    client = client_for(coordinator)
    assert operation.reference in client.get(reverse("operations:operation-list"), {"status": "draft"}).content.decode()
    assert (
        operation.reference
        not in client.get(reverse("operations:operation-list"), {"status": "active"}).content.decode()
    )
    assert operation.reference in client.get(reverse("operations:operation-list"), {"state": "UZ"}).content.decode()
    year = operation.planned_start.year
    assert (
        operation.reference not in client.get(reverse("operations:operation-list"), {"year": year + 1}).content.decode()
    )


def test_refusing_consent_needs_a_reason_and_a_confirmation(client_for, operation, officer_kz, officer_uz, coordinator):
    from operations.models import Participation
    from operations.workflow import fire

    fire(operation, "propose", officer_kz)
    operation.refresh_from_db()
    client = client_for(officer_uz)
    url = f"/operations/{operation.pk}/consent/"
    response = client.post(url, {"decision": "refused", "version": operation.version}, follow=True)
    assert "Give the reason for refusing" in response.content.decode()
    assert Participation.objects.get(operation=operation, state=officer_uz.state).consent != "refused"
    client.post(url, {"decision": "refused", "conditions": "No resources", "version": operation.version})
    assert Participation.objects.get(operation=operation, state=officer_uz.state).consent != "refused"
    client.post(
        url,
        {"decision": "refused", "conditions": "No resources", "confirm_refusal": "on", "version": operation.version},
    )
    assert Participation.objects.get(operation=operation, state=officer_uz.state).consent == "refused"


def test_an_active_operation_without_results_says_why_it_cannot_be_completed(
    client_for, operation, officer_kz, coordinator
):
    from tests.operations.conftest import advance

    advance(operation, "active", coordinator)
    page = client_for(officer_kz).get(operation.get_absolute_url()).content.decode()
    assert 'data-testid="blocked-complete"' in page
    assert "Enter the operation&#x27;s results first." in page or "Enter the operation's results first." in page
    assert 'data-testid="action-complete"' not in page
