"""Handling rules: originator control, TLP 2.0 and the handling codes, in ONE place.

Every path that shares, re-marks or edits a record (UI forms and views, API
serializers and viewsets, the seizure batch API, report kinds) asks these
functions; none decides on its own. A refusal raises `HandlingRuleError` (who may
act: 403) or `MarkingRuleError` (a rule of the marking broken by someone who may
act: form error / 400), with a translated message naming the rule.

The rules table (issue 10), by action:

=============  ==========================================================================
edit, archive  originator only (an officer of the originating state; for the centre's
               own products, a coordinator or analyst)
re-mark        originator only; an upgrade always, a downgrade with a reason (every
               recipient state is told: MarkingChange + intel.signals.record_remarked)
share          originator only (widen or narrow the dissemination list).
               CLEAR, GREEN: any chosen states and shortcuts.
               AMBER, AMBER+STRICT: chosen states (shortcuts allowed to the originator).
               RED: only states named one by one: no "all members" shortcut, ever.
forward        (approving a request to pass the record to more states) as share:
               the originator only; H2 says so explicitly, AMBER/RED never go onward
               from a recipient.
ask            recipients' officers and the centre's staff: dissemination and
               re-marking requests, decided by the originator.
=============  ==========================================================================

A partner-system account files seizure reports and requests and reads; it is
refused every one of these actions (and asking), whichever state it acts for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from members.roles import is_centre_staff, is_partner_system, is_state_officer

from .vocabularies import (
    CLASSIFICATION_RANK,
    HANDLING_RANK,
    TLP,
    TLP_NO_ONWARD,
    TLP_RANK,
    HandlingCode,
    RecordKind,
)

# The markings the originator alone controls (source evaluation is part of the content).
MARKING_FIELDS = ("tlp", "handling_code", "handling_note", "classification")

# Record kinds a partner system may file (the API gives it nothing else).
PARTNER_KINDS = frozenset({RecordKind.SEIZURE, RecordKind.RFI})


class HandlingRuleError(PermissionDenied):
    """The user may not do this to the record (403). `rule` names the rule broken."""

    status_code = 403

    def __init__(self, rule: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class MarkingRuleError(HandlingRuleError):
    """The originator asked for something a marking forbids (form error / 400)."""

    status_code = 400


# --- who is the originator --------------------------------------------------------------


def is_centre_product(record: Any) -> bool:
    """A record the centre itself originated (no originating state)."""
    return bool(getattr(record, "originator_is_centre", False)) or record.originating_state_id is None


def is_originator(user: Any, record: Any) -> bool:
    """An officer of the originating state, or the centre's staff for the centre's products."""
    if is_centre_product(record):
        return is_centre_staff(user)
    return is_state_officer(user, record.originating_state_id)


def _refuse_partner(user: Any) -> None:
    if is_partner_system(user):
        raise HandlingRuleError(
            "partner-system",
            _(
                "Role rule: a partner-system account may only file seizure reports and requests for "
                "information and read what its state may read."
            ),
        )


def _require_originator(user: Any, record: Any, what: str) -> None:
    _refuse_partner(user)
    if not is_originator(user, record):
        raise HandlingRuleError(
            "originator-control",
            _(
                "Originator control: only the originating state's officers may %(what)s this record; "
                "you may ask them instead."
            )
            % {"what": what},
        )


# --- the rules --------------------------------------------------------------------------


def may_edit(user: Any, record: Any) -> None:
    """Edit text or archive: the originator only."""
    _require_originator(user, record, _("edit"))


def may_share(user: Any, record: Any, states: Iterable[Any] = (), shortcut: str = "") -> None:
    """Change the dissemination list (to `states`, plus a `shortcut` group)."""
    _refuse_partner(user)
    if not is_originator(user, record):
        if record.handling_code == HandlingCode.H2:
            raise HandlingRuleError(
                "H2",
                _("Handling code H2: only the originating state may share this record onward."),
            )
        if record.tlp in TLP_NO_ONWARD:
            raise HandlingRuleError(
                f"TLP:{record.tlp}",
                _("TLP:%(tlp)s: a recipient may not share this record onward; ask the originating state.")
                % {"tlp": record.tlp},
            )
        _require_originator(user, record, _("share"))
    check_dissemination(record.tlp, shortcut)


def may_forward(user: Any, record: Any, states: Iterable[Any] = ()) -> None:
    """Pass the record on to more states (approving a dissemination request)."""
    may_share(user, record, states)


def check_dissemination(tlp: str, shortcut: str = "") -> None:
    """TLP:RED goes only to states named one by one: no group shortcut, at creation or later."""
    if tlp == TLP.RED and shortcut:
        raise MarkingRuleError(
            "TLP:RED",
            _(
                "TLP:RED: only the states named one by one may receive this record; "
                'the "all members" shortcuts are not allowed.'
            ),
            field="shortcut",
        )


def marking_values(source: Any) -> dict[str, str]:
    """The four controlled markings of a record or a mapping."""
    if isinstance(source, Mapping):
        return {name: source.get(name) or "" for name in MARKING_FIELDS}
    return {name: getattr(source, name) or "" for name in MARKING_FIELDS}


def is_downgrade(old: Mapping[str, str], new: Mapping[str, str]) -> bool:
    """Whether any marking becomes less restrictive (a changed H3 condition counts: it may relax)."""
    if TLP_RANK.get(new["tlp"], 0) < TLP_RANK.get(old["tlp"], 0):
        return True
    if HANDLING_RANK.get(new["handling_code"], 0) < HANDLING_RANK.get(old["handling_code"], 0):
        return True
    if CLASSIFICATION_RANK.get(new["classification"], 0) < CLASSIFICATION_RANK.get(old["classification"], 0):
        return True
    return (
        old["handling_code"] == new["handling_code"] == HandlingCode.H3
        and (old["handling_note"] or "").strip() != (new["handling_note"] or "").strip()
    )


def may_remark(user: Any, record: Any, new_markings: Mapping[str, str], reason: str = "") -> bool:
    """Change markings: the originator only; a downgrade needs a reason. Returns whether it is a downgrade."""
    _require_originator(user, record, _("re-mark"))
    old = marking_values(record)
    new = {**old, **{k: v for k, v in new_markings.items() if k in MARKING_FIELDS}}
    downgrade = is_downgrade(old, new)
    if downgrade and not (reason or "").strip():
        raise MarkingRuleError(
            "downgrade-reason",
            _("Downgrade rule: a less restrictive marking needs a reason; every recipient state is told."),
            field="reason",
        )
    return downgrade


def may_ask(user: Any, record: Any) -> None:
    """Ask the originator (dissemination or re-marking): recipients' officers and the centre's staff."""
    _refuse_partner(user)
    if is_originator(user, record):
        raise MarkingRuleError(
            "originator-decides", _("You are the originator: change the record directly instead of asking.")
        )
    if not (is_centre_staff(user) or is_state_officer(user, user.state_id)):
        raise HandlingRuleError(
            "officer-only", _("Officer rule: only liaison officers and the centre's staff may ask the originator.")
        )


def may_decide(user: Any, record: Any) -> None:
    """Decide a dissemination or re-marking request: the originator only."""
    _require_originator(user, record, _("decide requests on"))


def may_act_for_state(user: Any) -> None:
    """Officer-only writes that are not about someone else's record (acknowledge, answer)."""
    _refuse_partner(user)
    if not is_state_officer(user, user.state_id):
        raise HandlingRuleError("officer-only", _("Officer rule: only a liaison officer of a state may do this."))


def may_create(user: Any, kind: str, tlp: str = "", shortcut: str = "") -> None:
    """A new record: partner systems only file seizure reports and requests; RED has no shortcut."""
    if is_partner_system(user) and kind not in PARTNER_KINDS:
        raise HandlingRuleError(
            "partner-system",
            _("Role rule: a partner-system account may only file seizure reports and requests for information."),
        )
    check_dissemination(tlp, shortcut)


def can(check, *args: Any, **kwargs: Any) -> bool:
    """A rule as a boolean, for templates and serializers deciding what to offer."""
    try:
        check(*args, **kwargs)
    except HandlingRuleError:
        return False
    return True
