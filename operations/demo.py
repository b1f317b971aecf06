"""Demo joint operations in every status, built through the real workflow (idempotent)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from django.utils import timezone

from .choices import ParticipantRole, Status
from .models import ControlledDelivery, JointOperation, OperationResult, ResultSeizure, RouteLeg
from .services import create_operation
from .workflow import decide_consent, fire, notifications_suppressed

P, T, OBS = ParticipantRole.PARTICIPANT, ParticipantRole.TRANSIT, ParticipantRole.OBSERVER

# code name, type, lead, {state: role}, target status, start offset (days), length (days), objective
OPERATIONS = [
    (
        "Caspian Bridge",
        "regional_operation",
        "AZ",
        {"RU": P, "KZ": P},
        Status.DRAFT,
        45,
        30,
        "Joint checks of ferry freight across the Caspian Sea.",
    ),
    (
        "Northern Route",
        "controlled_delivery",
        "KZ",
        {"UZ": P, "KG": T, "DE": OBS},
        Status.PROPOSED,
        20,
        14,
        "Let a heroin consignment run from Tashkent to Almaty under control and arrest the receivers.",
    ),
    (
        "Amu Darya",
        "joint_investigation",
        "TJ",
        {"UZ": P, "TM": P},
        Status.AWAITING_APPROVAL,
        30,
        90,
        "Map the network moving opiates across the Amu Darya crossings.",
    ),
    (
        "Pamir Watch",
        "regional_operation",
        "KG",
        {"TJ": P, "KZ": P},
        Status.APPROVED,
        10,
        21,
        "Reinforced checks on the Pamir highway.",
    ),
    (
        "Steppe Wind",
        "controlled_delivery",
        "KZ",
        {"RU": P, "UZ": T, "US": OBS},
        Status.ACTIVE,
        -5,
        20,
        "Follow a hashish consignment through Kazakhstan to the Russian buyers.",
    ),
    (
        "Fergana Knot",
        "joint_investigation",
        "UZ",
        {"KG": P, "TJ": P},
        Status.SUSPENDED,
        -20,
        60,
        "Synthetic drug laboratories in the Fergana valley.",
    ),
    (
        "Golden Crescent",
        "regional_operation",
        "TJ",
        {"RU": P, "KZ": P, "AZ": P},
        Status.COMPLETED,
        -60,
        30,
        "Regional operation against opiate trafficking on the northern route.",
    ),
    (
        "Old Caravan",
        "controlled_delivery",
        "RU",
        {"KZ": P},
        Status.CLOSED,
        -150,
        20,
        "Controlled delivery of precursors from Kazakhstan to Russia.",
    ),
    ("Lost Cargo", "other", "TM", {"AZ": P}, Status.REJECTED, 60, 10, "Container checks at Turkmenbashi port."),
    (
        "Black Sea Link",
        "regional_operation",
        "AZ",
        {"RU": P, "KZ": T},
        Status.CANCELLED,
        15,
        30,
        "Road freight checks between Baku and the Russian border.",
    ),
]

# Route of each demo controlled delivery, state by state.
ROUTES = {"Northern Route": ["UZ", "KG", "KZ"], "Steppe Wind": ["UZ", "KZ", "RU"], "Old Caravan": ["KZ", "RU"]}

PATH = [Status.PROPOSED, Status.AWAITING_APPROVAL, Status.APPROVED, Status.ACTIVE, Status.COMPLETED, Status.CLOSED]


def _officer(users, code):
    return users[f"officer-{code.lower()}"]


def _advance(op, target, users, coordinator):
    lead = _officer(users, op.lead_state.code)
    if target == Status.REJECTED:
        _advance(op, Status.PROPOSED, users, coordinator)
        fire(op, "reject", coordinator, "The port authority was not consulted.")
        return
    if target == Status.CANCELLED:
        _advance(op, Status.APPROVED, users, coordinator)
        fire(op, "cancel", lead, "The consignment changed route before the start.")
        return
    if target == Status.SUSPENDED:
        _advance(op, Status.ACTIVE, users, coordinator)
        fire(op, "suspend", lead, "Suspects alerted; surveillance paused.")
        return
    if target == Status.DRAFT:
        return
    for step in PATH[: PATH.index(target) + 1]:
        op.refresh_from_db()
        if step == Status.PROPOSED:
            fire(op, "propose", lead, "For your consent.")
        elif step == Status.AWAITING_APPROVAL:
            for p in op.participations.exclude(role__in=[ParticipantRole.LEAD, ParticipantRole.OBSERVER]):
                decide_consent(
                    op, _officer(users, p.state.code), "granted", "Our liaison officer joins the command post."
                )
        elif step == Status.APPROVED:
            fire(op, "approve", coordinator, "Approved by the centre.")
        elif step == Status.ACTIVE:
            fire(op, "start", lead)
        elif step == Status.COMPLETED:
            _results(op, lead)
            fire(op, "complete", lead, "Results entered.")
        elif step == Status.CLOSED:
            fire(op, "close", coordinator, "Final report received.")


def _results(op, lead):
    OperationResult.objects.get_or_create(
        operation=op,
        defaults={
            "arrests": 7,
            "groups_dismantled": 2,
            "cash_seized": Decimal("48500"),
            "cash_currency": "USD",
            "firearms_seized": 3,
            "vehicles_seized": 4,
            "entered_by": lead,
        },
    )
    today = timezone.localdate()
    for state, substance, quantity, unit in [
        (op.lead_state, "heroin", "42.5", "kg"),
        (op.participations.exclude(role__in=["lead", "observer"]).first().state, "cannabis_resin", "310", "kg"),
        (op.lead_state, "methamphetamine", "1200", "g"),
    ]:
        ResultSeizure.objects.get_or_create(
            operation=op,
            substance=substance,
            defaults={
                "state": state,
                "seized_on": min(op.planned_end, today),
                "quantity": Decimal(quantity),
                "unit": unit,
                "created_by": lead,
            },
        )


def _delivery(op, states):
    delivery, _created = ControlledDelivery.objects.get_or_create(
        operation=op,
        defaults={
            "consignment_description": "Hashish hidden in a load of dried fruit, semi-trailer.",
            "substitution": "partial",
            "tracker_identifiers": "GPS-KZ-0471\nGPS-KZ-0472",
        },
    )
    codes = ROUTES[op.code_name]
    start = timezone.make_aware(datetime.combine(op.planned_start, time(9, 0)))
    for i, (a, b) in enumerate(pairwise(codes), start=1):
        RouteLeg.objects.get_or_create(
            delivery=delivery,
            order=i,
            defaults={
                "from_state": states[a],
                "to_state": states[b],
                "handover_point": f"Border crossing {a}-{b}",
                "planned_time": start + timedelta(days=2 * i),
            },
        )


def seed(context: dict) -> None:
    users, states = context["users"], context["states"]
    coordinator = users["coordinator"]
    today = timezone.localdate()
    created = 0
    with notifications_suppressed():
        for name, kind, lead, others, target, offset, length, objective in OPERATIONS:
            if JointOperation.objects.filter(code_name=name, lead_state=states[lead]).exists():
                continue
            start = today + timedelta(days=offset)
            op = create_operation(
                _officer(users, lead),
                {
                    "code_name": name,
                    "operation_type": kind,
                    "objective": objective,
                    "area_description": "",
                    "planned_start": start,
                    "planned_end": start + timedelta(days=length),
                },
                {states[code].pk: role for code, role in others.items()},
            )
            if kind == "controlled_delivery":
                _delivery(op, states)
            _advance(op, target, users, coordinator)
            if target in (Status.ACTIVE,):
                _results(op, _officer(users, lead))
            created += 1
    if "stdout" in context:
        context["stdout"].write(f"operations: {created} demo operations created")
