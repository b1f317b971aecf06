"""The state machine of joint operations: ONE table says what may happen.

Each `Transition` lists its source statuses, its target, who may fire it
(`LEAD`: a liaison officer of the lead state; `COORDINATOR`: holder of
`operations.approve_jointoperation`; `SYSTEM`: fired by the portal itself when a
condition becomes true), whether a reason is required, and its guards. The UI
shows, and the API accepts, exactly what `available_transitions` derives from
this table; nothing else changes an operation's status.

A transition runs in a transaction with the operation row locked
(`select_for_update`) and re-checks the status it found, so two coordinators
approving at once produce one approval and one clear refusal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from members.roles import is_state_officer

from .choices import Consent, ParticipantRole, Status
from .models import NEGOTIATION_STATUSES, ConsentLog, JointOperation, Participation, TransitionLog
from .signals import consents_reset, operation_transitioned

LEAD = "lead"
COORDINATOR = "coordinator"
SYSTEM = "system"

APPROVE_PERMISSION = "operations.approve_jointoperation"

# Off only while loading demo data, which would otherwise mail every demo user.
_notifications_on: ContextVar[bool] = ContextVar("operations_notifications_on", default=True)


@contextlib.contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Fire transitions without e-mail (demo data); the log is written as always."""
    token = _notifications_on.set(False)
    try:
        yield
    finally:
        _notifications_on.reset(token)


# --- errors ------------------------------------------------------------------------


class TransitionError(Exception):
    """Base of every refusal; `message` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(TransitionError):
    """Not possible in the operation's current state (API: 409)."""


class StaleTransition(IllegalTransition):
    """The operation changed since the user looked at it (API: 409)."""


class GuardFailed(IllegalTransition):
    """A condition of the transition does not hold (API: 409)."""


class TransitionForbidden(TransitionError, PermissionDenied):
    """The user may not do this on this operation (API: 403)."""


class InvalidTransitionInput(TransitionError):
    """Unknown transition name or missing reason (API: 400)."""

    def __init__(self, message: str, field_name: str = "transition") -> None:
        super().__init__(message)
        self.field_name = field_name


# --- the table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Guard:
    check: Callable[[JointOperation], bool]
    message: Any  # lazy translation


def _has_other_participant(op: JointOperation) -> bool:
    return op.participations.exclude(role=ParticipantRole.LEAD).exists()


def _all_consents_granted(op: JointOperation) -> bool:
    return op.all_consents_granted()


def _has_results(op: JointOperation) -> bool:
    return op.has_results


HAS_PARTNER = Guard(_has_other_participant, gettext_lazy("Add at least one other participating state first."))
ALL_CONSENTED = Guard(
    _all_consents_granted, gettext_lazy("Every participating state (observers apart) must consent first.")
)
RESULTS_ENTERED = Guard(_has_results, gettext_lazy("Enter the operation's results first."))


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    actors: frozenset[str]
    reason_required: bool = False
    guards: tuple[Guard, ...] = ()
    notify: bool = False
    style: str = "primary"
    on_fire: tuple[str, ...] = field(default=())


_ALL_OPEN = (
    Status.DRAFT,
    Status.PROPOSED,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
    Status.ACTIVE,
    Status.SUSPENDED,
)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "propose",
            pgettext_lazy("operation transition", "Propose"),
            (Status.DRAFT,),
            Status.PROPOSED,
            frozenset({LEAD}),
            guards=(HAS_PARTNER,),
            notify=True,
            on_fire=("lead_consents",),
        ),
        Transition(
            "request_approval",
            pgettext_lazy("operation transition", "All states consented"),
            (Status.PROPOSED,),
            Status.AWAITING_APPROVAL,
            frozenset({SYSTEM}),
            guards=(ALL_CONSENTED,),
        ),
        Transition(
            "consent_lifted",
            pgettext_lazy("operation transition", "Consent lifted"),
            (Status.AWAITING_APPROVAL,),
            Status.PROPOSED,
            frozenset({SYSTEM}),
        ),
        Transition(
            "approve",
            pgettext_lazy("operation transition", "Approve"),
            (Status.AWAITING_APPROVAL,),
            Status.APPROVED,
            frozenset({COORDINATOR}),
            guards=(ALL_CONSENTED,),
            notify=True,
            style="success",
        ),
        Transition(
            "return_to_draft",
            pgettext_lazy("operation transition", "Return to draft"),
            (Status.PROPOSED, Status.AWAITING_APPROVAL),
            Status.DRAFT,
            frozenset({COORDINATOR}),
            reason_required=True,
            style="secondary",
            on_fire=("reset_consents",),
        ),
        Transition(
            "reject",
            pgettext_lazy("operation transition", "Reject"),
            (Status.PROPOSED, Status.AWAITING_APPROVAL),
            Status.REJECTED,
            frozenset({COORDINATOR}),
            reason_required=True,
            notify=True,
            style="danger",
        ),
        Transition(
            "start",
            pgettext_lazy("operation transition", "Start"),
            (Status.APPROVED,),
            Status.ACTIVE,
            frozenset({LEAD, COORDINATOR}),
            on_fire=("set_actual_start",),
        ),
        Transition(
            "suspend",
            pgettext_lazy("operation transition", "Suspend"),
            (Status.ACTIVE,),
            Status.SUSPENDED,
            frozenset({LEAD, COORDINATOR}),
            reason_required=True,
            style="warning",
        ),
        Transition(
            "resume",
            pgettext_lazy("operation transition", "Resume"),
            (Status.SUSPENDED,),
            Status.ACTIVE,
            frozenset({LEAD, COORDINATOR}),
        ),
        Transition(
            "complete",
            pgettext_lazy("operation transition", "Complete"),
            (Status.ACTIVE,),
            Status.COMPLETED,
            frozenset({LEAD, COORDINATOR}),
            guards=(RESULTS_ENTERED,),
            on_fire=("set_actual_end",),
        ),
        Transition(
            "close",
            pgettext_lazy("operation transition", "Close"),
            (Status.COMPLETED,),
            Status.CLOSED,
            frozenset({COORDINATOR}),
            style="secondary",
        ),
        Transition(
            "cancel",
            pgettext_lazy("operation transition", "Cancel"),
            _ALL_OPEN,
            Status.CANCELLED,
            frozenset({LEAD, COORDINATOR}),
            reason_required=True,
            notify=True,
            style="outline-danger",
        ),
    ]
}

# Transitions a person can ask for (the SYSTEM ones follow from consents and edits).
USER_TRANSITIONS = tuple(name for name, t in TRANSITIONS.items() if SYSTEM not in t.actors)


# --- who is who ---------------------------------------------------------------------------


def is_coordinator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(APPROVE_PERMISSION))


def actor_roles(user: Any, op: JointOperation) -> set[str]:
    roles = set()
    if is_state_officer(user, op.lead_state_id):
        roles.add(LEAD)
    if is_coordinator(user):
        roles.add(COORDINATOR)
    return roles


def may_fire(user: Any, op: JointOperation, transition: Transition) -> bool:
    """Whether the user's role allows the transition on this operation (status aside)."""
    return bool(actor_roles(user, op) & transition.actors)


def available_transitions(user: Any, op: JointOperation) -> list[Transition]:
    """What the user may do now: right status, right actor, guards satisfied."""
    return [t for t, unmet in _transitions_for(user, op) if not unmet]


def transitions_with_reasons(user: Any, op: JointOperation) -> list[tuple[Transition, list[Any]]]:
    """The user's transitions from the current status, each with the messages of its
    unmet guards: an empty list means it can fire now; otherwise the page says why not
    (e.g. "Complete": enter the operation's results first)."""
    return _transitions_for(user, op)


def _transitions_for(user: Any, op: JointOperation) -> list[tuple[Transition, list[Any]]]:
    roles = actor_roles(user, op)
    if not roles:
        return []
    return [
        (t, [g.message for g in t.guards if not g.check(op)])
        for t in (TRANSITIONS[name] for name in USER_TRANSITIONS)
        if op.status in t.sources and roles & t.actors
    ]


def can_edit(user: Any, op: JointOperation) -> bool:
    """The lead state's officers edit the operation while it is being agreed."""
    return (
        op.status in NEGOTIATION_STATUSES
        and is_state_officer(user, op.lead_state_id)
        and user.has_perm("operations.change_jointoperation", op)
    )


def can_edit_delivery(user: Any, op: JointOperation) -> bool:
    """Route and consignment: the lead state (or a coordinator) until the operation ends."""
    return not op.is_terminal and op.status != Status.COMPLETED and bool(actor_roles(user, op))


def can_enter_results(user: Any, op: JointOperation) -> bool:
    """Results are entered once the operation runs, until it is closed."""
    return op.status in (Status.ACTIVE, Status.SUSPENDED, Status.COMPLETED) and bool(actor_roles(user, op))


def consent_participation(user: Any, op: JointOperation) -> Participation | None:
    """The participation for which this user may decide consent now, if any."""
    if op.status not in (Status.PROPOSED, Status.AWAITING_APPROVAL):
        return None
    if not is_state_officer(user, user.state_id if user.is_authenticated else None):
        return None
    participation = next((p for p in op.participations.all() if p.state_id == user.state_id), None)
    if participation is None or not participation.must_consent:
        return None
    return participation


# --- firing ---------------------------------------------------------------------------------


def _lock(op: JointOperation | int) -> JointOperation:
    pk = op.pk if isinstance(op, JointOperation) else op
    return JointOperation.objects.select_for_update().get(pk=pk)


def _apply(op: JointOperation, t: Transition, user: Any, comment: str) -> TransitionLog:
    """Move a locked operation along `t`, run its effects and log it (caller holds the lock)."""
    previous = op.status
    op.status = t.target
    update_fields = ["status", "updated_at"]
    today = timezone.localdate()
    if "set_actual_start" in t.on_fire and op.actual_start is None:
        op.actual_start = today
        update_fields.append("actual_start")
    if "set_actual_end" in t.on_fire and op.actual_end is None:
        op.actual_end = today
        update_fields.append("actual_end")
    op._change_reason = f"{t.name}: {comment}"[:100]
    op.save(update_fields=update_fields)
    # The log entry first, so that on the timeline the transition precedes its effects.
    log = TransitionLog.objects.create(
        operation=op,
        transition=t.name,
        from_status=previous,
        to_status=t.target,
        by=user if getattr(user, "pk", None) else None,
        comment=comment,
    )
    if "reset_consents" in t.on_fire:
        op.reset_consents()
    if "lead_consents" in t.on_fire:
        # Proposing is the lead state's consent to the version it proposes.
        lead = op.participations.get(role=ParticipantRole.LEAD)
        _record_consent(op, lead, user, Consent.GRANTED, "")
    if _notifications_on.get():
        # Whoever must act or know is told by the notifications app (in the portal and
        # by e-mail after the commit, in each reader's language).
        operation_transitioned.send(sender=JointOperation, log=log)
    return log


def _auto_advance(op: JointOperation, user: Any) -> TransitionLog | None:
    """Fire the SYSTEM transitions whose condition now holds."""
    if op.status == Status.PROPOSED and op.all_consents_granted():
        return _apply(op, TRANSITIONS["request_approval"], user, _("Every participating state has consented."))
    if op.status == Status.AWAITING_APPROVAL and not op.all_consents_granted():
        return _apply(op, TRANSITIONS["consent_lifted"], user, _("A consent was lifted; approval waits for it."))
    return None


def fire(
    op: JointOperation | int,
    name: str,
    user: Any,
    comment: str = "",
    expected_status: str | None = None,
) -> TransitionLog:
    """Fire transition `name` on the operation as `user`, or raise a TransitionError.

    `expected_status` is the status the user saw; if the operation moved on
    since, nothing happens and StaleTransition is raised.
    """
    t = TRANSITIONS.get(name)
    if t is None or name not in USER_TRANSITIONS:
        raise InvalidTransitionInput(_("Unknown transition: %(name)s.") % {"name": name})
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _lock(op)
        if not may_fire(user, locked, t):
            raise TransitionForbidden(_("You may not do this on this operation."))
        repeat = _repeat_of(locked, t, user)
        if repeat is not None:
            return repeat  # the same button pressed twice: the first press's result, nothing written
        if expected_status and locked.status != expected_status:
            raise StaleTransition(
                _("The operation changed meanwhile: it is now %(status)s. Nothing was done.")
                % {"status": locked.get_status_display()}
            )
        if locked.status not in t.sources:
            raise IllegalTransition(
                _("“%(action)s” is not possible while the operation is %(status)s.")
                % {"action": t.label, "status": locked.get_status_display()}
            )
        if t.reason_required and not comment:
            raise InvalidTransitionInput(_("A reason is required."), field_name="comment")
        for guard in t.guards:
            if not guard.check(locked):
                raise GuardFailed(str(guard.message))
        log = _apply(locked, t, user, comment)
        _auto_advance(locked, user)
    if isinstance(op, JointOperation):
        op.refresh_from_db()
    return log


def _repeat_of(op: JointOperation, t: Transition, user: Any) -> TransitionLog | None:
    """The log entry of this same transition by this same user, if it is the operation's last.

    A second post of the same button (a double click, a retry after a lost answer)
    finds the operation already where the first one took it: it answers like the
    first and writes nothing (issue 11: state changes are idempotent). Anyone
    else's post, or a later different step, still meets the ordinary checks (409).
    Transitions that stay in their status (a target among their sources) are not
    repeats: each is a new step.
    """
    if t.target in t.sources or not getattr(user, "pk", None) or op.status != t.target:
        return None
    last = op.transitions.order_by("-at", "-id").first()
    if last is not None and last.transition == t.name and last.by_id == user.pk:
        return last
    return None


def _record_consent(op: JointOperation, participation: Participation, user: Any, decision: str, conditions: str):
    now = timezone.now()
    participation.consent = decision
    participation.consent_by = user
    participation.consent_at = now
    participation.consent_conditions = conditions
    participation.consent_version = op.version
    if participation.liaison_officer_id is None:
        participation.liaison_officer = user
    participation.save()
    ConsentLog.objects.create(
        operation=op,
        state_id=participation.state_id,
        decision=decision,
        version=op.version,
        by=user,
        at=now,
        conditions=conditions,
    )


CONSENT_DECISIONS = (Consent.GRANTED, Consent.REFUSED, Consent.WITHDRAWN)


def decide_consent(
    op: JointOperation | int,
    user: Any,
    decision: str,
    conditions: str = "",
    national_case_reference: str | None = None,
    expected_version: int | None = None,
) -> Participation:
    """Record the user's state's consent decision on the operation's current version.

    Only a liaison officer of a non-observer participating state decides, and only
    for their own state. Granting the last missing consent moves the operation to
    awaiting approval; withdrawing or refusing one moves it back to proposed.
    """
    if decision not in CONSENT_DECISIONS:
        raise InvalidTransitionInput(_("Choose granted, refused or withdrawn."), field_name="decision")
    with transaction.atomic():
        locked = _lock(op)
        participation = locked.participations.filter(state_id=getattr(user, "state_id", None)).first()
        if participation is None or not is_state_officer(user, participation.state_id):
            raise TransitionForbidden(_("Only a liaison officer of a participating state consents, for that state."))
        if not participation.must_consent:
            raise TransitionForbidden(_("Observer states follow the operation but do not consent."))
        if locked.status not in (Status.PROPOSED, Status.AWAITING_APPROVAL):
            raise IllegalTransition(
                _("Consent is decided while the operation is proposed; it is now %(status)s.")
                % {"status": locked.get_status_display()}
            )
        if expected_version is not None and expected_version != locked.version:
            raise StaleTransition(
                _("The operation was changed (now version %(version)s). Read it again before deciding.")
                % {"version": locked.version}
            )
        conditions = (conditions or "").strip()
        if (participation.consent, participation.consent_version, participation.consent_conditions) == (
            decision,
            locked.version,
            conditions,
        ):
            # The same decision again (a double click, a client's retry): idempotent,
            # no second log row; only a changed case reference is kept.
            if national_case_reference is not None and national_case_reference != participation.national_case_reference:
                participation.national_case_reference = national_case_reference
                participation.save(update_fields=["national_case_reference"])
            return participation
        if decision == Consent.WITHDRAWN and participation.consent != Consent.GRANTED:
            raise IllegalTransition(_("Only a granted consent can be withdrawn."))
        if national_case_reference is not None:
            participation.national_case_reference = national_case_reference
        _record_consent(locked, participation, user, decision, conditions)
        _auto_advance(locked, user)
    return participation


def record_material_change(op: JointOperation, user: Any) -> None:
    """After a material edit (inside the caller's transaction): a new version, consents lifted.

    The caller holds the row lock. States consent to a version, so every consent
    goes back to pending; an operation awaiting approval goes back to proposed.
    """
    op.version += 1
    JointOperation.objects.filter(pk=op.pk).update(version=op.version)
    op.reset_consents()
    if op.status == Status.AWAITING_APPROVAL:
        _apply(op, TRANSITIONS["consent_lifted"], user, _("Material change: every consent is pending again."))
    elif op.status == Status.PROPOSED and _notifications_on.get():
        # No transition here, yet every state owes its consent again.
        consents_reset.send(sender=JointOperation, operation=op, by=user)
