"""Operations fixtures: operations built through the real services and workflow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from members.models import User
from members.roles import Role
from operations.choices import ParticipantRole, Status
from operations.models import OperationResult
from operations.services import create_operation
from operations.workflow import decide_consent, fire
from tests.factories import UserFactory


def officer_of(state):
    """A liaison officer of the state (created once; an existing one is reused untouched,
    since re-running the factory would reset the password and end open sessions)."""
    existing = User.objects.filter(username=f"officer-{state.code.lower()}").first()
    if existing is not None:
        return existing
    return UserFactory(username=f"officer-{state.code.lower()}", state=state, roles=[Role.LIAISON_OFFICER])


def build_operation(lead_officer, participants: dict, **fields):
    """A draft led by `lead_officer`'s state with `participants` ({State: role})."""
    start = fields.pop("planned_start", timezone.localdate() + timedelta(days=10))
    values = {
        "code_name": "Caravan",
        "operation_type": "controlled_delivery",
        "objective": "Follow a heroin consignment from Tashkent to Almaty.",
        "planned_start": start,
        "planned_end": start + timedelta(days=20),
        **fields,
    }
    return create_operation(lead_officer, values, {s.pk: role for s, role in participants.items()})


def advance(op, target: str, coordinator):
    """Take an operation along the normal path to `target`, through the workflow."""
    path = [Status.PROPOSED, Status.AWAITING_APPROVAL, Status.APPROVED, Status.ACTIVE, Status.COMPLETED, Status.CLOSED]
    lead = officer_of(op.lead_state)
    op.refresh_from_db()
    done = path.index(op.status) + 1 if op.status in path else 0
    for step in path[done : path.index(target) + 1]:
        op.refresh_from_db()
        if step == Status.PROPOSED:
            fire(op, "propose", lead)
        elif step == Status.AWAITING_APPROVAL:
            for p in op.participations.exclude(role__in=[ParticipantRole.OBSERVER, ParticipantRole.LEAD]):
                decide_consent(op, officer_of(p.state), "granted")
        elif step == Status.APPROVED:
            fire(op, "approve", coordinator)
        elif step == Status.ACTIVE:
            fire(op, "start", lead)
        elif step == Status.COMPLETED:
            OperationResult.objects.get_or_create(operation=op, defaults={"arrests": 3, "entered_by": lead})
            fire(op, "complete", lead)
        elif step == Status.CLOSED:
            fire(op, "close", coordinator)
    op.refresh_from_db()
    assert op.status == target
    return op


@pytest.fixture
def operation(officer_kz, officer_uz, uz):
    """A draft controlled delivery led by Kazakhstan with Uzbekistan participating."""
    return build_operation(officer_kz, {uz: ParticipantRole.PARTICIPANT})


@pytest.fixture
def operation_with_observer(officer_kz, officer_uz, uz, observer, de):
    """Kazakhstan leads, Uzbekistan participates, Germany observes."""
    return build_operation(officer_kz, {uz: ParticipantRole.PARTICIPANT, de: ParticipantRole.OBSERVER})


@pytest.fixture
def this_year():
    return date(timezone.localdate().year, 1, 1)
