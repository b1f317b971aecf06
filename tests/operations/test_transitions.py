"""The transition table, proved per transition, role and state."""

from datetime import timedelta

import pytest

from operations.choices import Consent, ParticipantRole, Status
from operations.models import ConsentLog, OperationResult, TransitionLog
from operations.services import update_operation
from operations.workflow import (
    TRANSITIONS,
    GuardFailed,
    IllegalTransition,
    InvalidTransitionInput,
    StaleTransition,
    TransitionForbidden,
    available_transitions,
    decide_consent,
    fire,
)

from .conftest import advance

pytestmark = pytest.mark.django_db

# transition, status it starts from, persona, may fire it?
MATRIX = [
    ("propose", Status.DRAFT, "officer_kz", True),
    ("propose", Status.DRAFT, "officer_uz", False),
    ("propose", Status.DRAFT, "coordinator", False),
    ("propose", Status.DRAFT, "partner_kz", False),
    ("approve", Status.AWAITING_APPROVAL, "coordinator", True),
    ("approve", Status.AWAITING_APPROVAL, "officer_kz", False),
    ("approve", Status.AWAITING_APPROVAL, "officer_uz", False),
    ("approve", Status.AWAITING_APPROVAL, "analyst", False),
    ("approve", Status.AWAITING_APPROVAL, "observer", False),
    ("return_to_draft", Status.PROPOSED, "coordinator", True),
    ("return_to_draft", Status.AWAITING_APPROVAL, "coordinator", True),
    ("return_to_draft", Status.PROPOSED, "officer_kz", False),
    ("return_to_draft", Status.PROPOSED, "analyst", False),
    ("reject", Status.PROPOSED, "coordinator", True),
    ("reject", Status.AWAITING_APPROVAL, "coordinator", True),
    ("reject", Status.AWAITING_APPROVAL, "officer_kz", False),
    ("reject", Status.AWAITING_APPROVAL, "officer_uz", False),
    ("start", Status.APPROVED, "officer_kz", True),
    ("start", Status.APPROVED, "coordinator", True),
    ("start", Status.APPROVED, "officer_uz", False),
    ("start", Status.APPROVED, "analyst", False),
    ("suspend", Status.ACTIVE, "officer_kz", True),
    ("suspend", Status.ACTIVE, "coordinator", True),
    ("suspend", Status.ACTIVE, "officer_uz", False),
    ("resume", Status.SUSPENDED, "officer_kz", True),
    ("resume", Status.SUSPENDED, "coordinator", True),
    ("resume", Status.SUSPENDED, "observer", False),
    ("complete", Status.ACTIVE, "officer_kz", True),
    ("complete", Status.ACTIVE, "coordinator", True),
    ("complete", Status.ACTIVE, "officer_uz", False),
    ("close", Status.COMPLETED, "coordinator", True),
    ("close", Status.COMPLETED, "officer_kz", False),
    ("close", Status.COMPLETED, "analyst", False),
    ("cancel", Status.DRAFT, "officer_kz", True),
    ("cancel", Status.APPROVED, "officer_kz", True),
    ("cancel", Status.ACTIVE, "coordinator", True),
    ("cancel", Status.APPROVED, "officer_uz", False),
    ("cancel", Status.APPROVED, "observer", False),
    ("cancel", Status.APPROVED, "analyst", False),
]


def _bring_to(op, status, coordinator):
    if status == Status.SUSPENDED:
        advance(op, Status.ACTIVE, coordinator)
        fire(op, "suspend", coordinator, "Weather")
    elif status != Status.DRAFT:
        advance(op, status, coordinator)
    if status == Status.ACTIVE:
        # `complete` needs results; entering them changes nothing else.
        OperationResult.objects.get_or_create(operation=op, defaults={"arrests": 2, "entered_by": coordinator})
    op.refresh_from_db()
    return op


@pytest.mark.parametrize(("name", "source", "persona", "allowed"), MATRIX)
def test_who_may_fire_each_transition(request, operation_with_observer, coordinator, name, source, persona, allowed):
    op = _bring_to(operation_with_observer, source, coordinator)
    user = request.getfixturevalue(persona)
    logs_before = TransitionLog.objects.filter(operation=op).count()
    transition = TRANSITIONS[name]

    assert (transition in available_transitions(user, op)) is allowed
    if allowed:
        log = fire(op, name, user, "Reason given")
        op.refresh_from_db()
        assert log.by == user and log.from_status == source and log.to_status == transition.target
        assert op.status == transition.target
    else:
        with pytest.raises(TransitionForbidden):
            fire(op, name, user, "Reason given")
        op.refresh_from_db()
        assert op.status == source
        assert TransitionLog.objects.filter(operation=op).count() == logs_before


def test_every_user_transition_is_covered_by_the_matrix():
    covered = {name for name, *_rest in MATRIX}
    assert covered == {n for n, t in TRANSITIONS.items() if "system" not in t.actors}


def test_proposing_consents_for_the_lead_and_waits_for_the_others(operation, officer_kz):
    fire(operation, "propose", officer_kz)
    operation.refresh_from_db()
    assert operation.status == Status.PROPOSED
    consents = dict(operation.participations.values_list("state__code", "consent"))
    assert consents == {"KZ": Consent.GRANTED, "UZ": Consent.PENDING}


def test_the_last_consent_moves_the_operation_to_awaiting_approval(operation_with_observer, officer_kz, officer_uz):
    op = operation_with_observer
    fire(op, "propose", officer_kz)
    decide_consent(op, officer_uz, Consent.GRANTED, "Our customs lead the handover.")
    op.refresh_from_db()
    # Germany observes: its consent is not needed.
    assert op.status == Status.AWAITING_APPROVAL
    assert list(op.transitions.values_list("transition", flat=True)) == ["propose", "request_approval"]
    uz = op.participations.get(state__code="UZ")
    assert (uz.consent_by, uz.consent_conditions, uz.consent_version) == (
        officer_uz,
        "Our customs lead the handover.",
        1,
    )


def test_approval_is_impossible_while_a_consent_is_pending(operation, officer_kz, coordinator):
    fire(operation, "propose", officer_kz)
    assert TRANSITIONS["approve"] not in available_transitions(coordinator, operation)
    with pytest.raises(IllegalTransition):
        fire(operation, "approve", coordinator)
    operation.refresh_from_db()
    assert operation.status == Status.PROPOSED
    assert not TransitionLog.objects.filter(operation=operation, transition="approve").exists()


def test_approval_guard_holds_even_if_the_status_was_forced(operation, officer_kz, coordinator):
    fire(operation, "propose", officer_kz)
    type(operation).objects.filter(pk=operation.pk).update(status=Status.AWAITING_APPROVAL)
    with pytest.raises(GuardFailed):
        fire(operation, "approve", coordinator)


def test_a_refusal_or_withdrawal_sends_the_operation_back_to_proposed(operation, officer_kz, officer_uz, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    decide_consent(operation, officer_uz, Consent.WITHDRAWN, "New intelligence")
    operation.refresh_from_db()
    assert operation.status == Status.PROPOSED
    assert operation.transitions.last().transition == "consent_lifted"
    with pytest.raises(IllegalTransition):
        fire(operation, "approve", coordinator)


@pytest.mark.parametrize("name", ["reject", "return_to_draft", "cancel", "suspend"])
def test_a_reason_is_required(operation, officer_kz, coordinator, name):
    source = Status.ACTIVE if name == "suspend" else Status.AWAITING_APPROVAL
    advance(operation, source, coordinator)
    with pytest.raises(InvalidTransitionInput) as excinfo:
        fire(operation, name, coordinator, "   ")
    assert excinfo.value.field_name == "comment"
    operation.refresh_from_db()
    assert operation.status == source


def test_return_to_draft_lifts_every_consent(operation, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    fire(operation, "return_to_draft", coordinator, "Route unclear")
    assert set(operation.participations.values_list("consent", flat=True)) == {Consent.PENDING}


def test_completing_needs_results(operation, officer_kz, coordinator):
    advance(operation, Status.ACTIVE, coordinator)
    assert TRANSITIONS["complete"] not in available_transitions(officer_kz, operation)
    with pytest.raises(GuardFailed):
        fire(operation, "complete", officer_kz)
    OperationResult.objects.create(operation=operation, arrests=1, entered_by=officer_kz)
    fire(operation, "complete", officer_kz)
    operation.refresh_from_db()
    assert operation.status == Status.COMPLETED and operation.actual_start and operation.actual_end


def test_a_transition_from_the_wrong_status_is_illegal(operation, officer_kz, coordinator):
    with pytest.raises(IllegalTransition):
        fire(operation, "start", officer_kz)
    with pytest.raises(IllegalTransition):
        fire(operation, "close", coordinator)


def test_a_stale_request_changes_nothing(operation, officer_kz, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    with pytest.raises(StaleTransition):
        fire(operation, "reject", coordinator, "Too late", expected_status=Status.PROPOSED)
    operation.refresh_from_db()
    assert operation.status == Status.AWAITING_APPROVAL


def test_system_transitions_cannot_be_requested(operation, officer_kz, coordinator):
    with pytest.raises(InvalidTransitionInput):
        fire(operation, "request_approval", coordinator)
    with pytest.raises(InvalidTransitionInput):
        fire(operation, "explode", coordinator)


def test_a_material_edit_after_consent_resets_every_consent(operation, officer_kz, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    update_operation(operation, officer_kz, {"objective": "Follow it to Astana instead."})
    operation.refresh_from_db()
    assert operation.version == 2
    assert operation.status == Status.PROPOSED
    assert set(operation.participations.values_list("consent", flat=True)) == {Consent.PENDING}
    assert operation.transitions.last().transition == "consent_lifted"
    with pytest.raises(IllegalTransition):
        fire(operation, "approve", coordinator)


def test_adding_a_participant_is_a_material_change(operation, officer_kz, coordinator, kg, uz):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    update_operation(operation, officer_kz, {}, {uz.pk: ParticipantRole.PARTICIPANT, kg.pk: ParticipantRole.TRANSIT})
    operation.refresh_from_db()
    assert operation.version == 2 and operation.status == Status.PROPOSED
    assert set(operation.participations.values_list("consent", flat=True)) == {Consent.PENDING}


def test_a_consent_to_an_old_version_is_refused(operation, officer_kz, officer_uz, coordinator):
    advance(operation, Status.PROPOSED, coordinator)
    update_operation(operation, officer_kz, {"planned_end": operation.planned_end + timedelta(days=1)})
    with pytest.raises(StaleTransition):
        decide_consent(operation, officer_uz, Consent.GRANTED, expected_version=1)


def test_a_cosmetic_edit_keeps_the_consents(operation, officer_kz, coordinator):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    update_operation(operation, officer_kz, {"code_name": "Caravan-2", "area_description": "M39 highway"})
    operation.refresh_from_db()
    assert operation.version == 1 and operation.status == Status.AWAITING_APPROVAL


def test_only_the_lead_state_edits_and_only_while_being_agreed(operation, officer_uz, officer_kz, coordinator):
    with pytest.raises(TransitionForbidden):
        update_operation(operation, officer_uz, {"code_name": "Mine"})
    with pytest.raises(TransitionForbidden):
        update_operation(operation, coordinator, {"code_name": "Mine"})
    advance(operation, Status.APPROVED, coordinator)
    with pytest.raises(TransitionForbidden):
        update_operation(operation, officer_kz, {"code_name": "Too late"})


def test_a_participant_consents_only_for_its_own_state(operation, officer_kz, officer_uz, officer_kg, coordinator):
    fire(operation, "propose", officer_kz)
    decide_consent(operation, officer_uz, Consent.REFUSED, "No capacity")
    assert ConsentLog.objects.get(operation=operation, state__code="UZ").by == officer_uz
    assert operation.participations.get(state__code="KZ").consent == Consent.GRANTED
    with pytest.raises(TransitionForbidden):
        decide_consent(operation, officer_kg, Consent.GRANTED)
    with pytest.raises(TransitionForbidden):
        decide_consent(operation, coordinator, Consent.GRANTED)


def test_an_observer_participant_cannot_consent(operation_with_observer, officer_kz, observer):
    fire(operation_with_observer, "propose", officer_kz)
    with pytest.raises(TransitionForbidden):
        decide_consent(operation_with_observer, observer, Consent.GRANTED)
    assert operation_with_observer.participations.get(state__code="DE").consent == Consent.PENDING
