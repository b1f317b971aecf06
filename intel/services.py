"""What the UI and the API both do with records: create, share, respond, match, attach.

Views and viewsets stay thin; every write that touches several rows happens here,
inside one transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import uploads
from members.models import Notice, State

from . import handling
from .models import (
    Attachment,
    DisseminationRequest,
    Identifier,
    IdentifierStopWord,
    IntelRecord,
    MarkingChange,
    RemarkingRequest,
    RequestForInformation,
    RFIQuestion,
    SeizureItem,
    SeizureReport,
    sync_substances,
)
from .signals import record_remarked
from .vocabularies import TLP, URGENCY_HOURS, RecordKind, RFIStatus, Urgency

# Dissemination shortcuts, resolved through members.State.status at the time of sharing.
SHORTCUT_NONE = ""
SHORTCUT_MEMBERS = "members"
SHORTCUT_MEMBERS_OBSERVERS = "members_observers"


def shortcut_choices():
    from django.utils.translation import gettext_lazy

    return [
        (SHORTCUT_NONE, gettext_lazy("Only the states chosen")),
        (SHORTCUT_MEMBERS, gettext_lazy("All member states")),
        (SHORTCUT_MEMBERS_OBSERVERS, gettext_lazy("All members and observers")),
    ]


def resolve_recipients(states: Iterable[State], shortcut: str = "") -> list[State]:
    """The chosen states plus those of a shortcut, never former members."""
    chosen = {s.pk: s for s in states}
    statuses = {
        SHORTCUT_MEMBERS: [State.Status.MEMBER],
        SHORTCUT_MEMBERS_OBSERVERS: [State.Status.MEMBER, State.Status.OBSERVER],
    }.get(shortcut or "", [])
    if statuses:
        for s in State.objects.filter(status__in=statuses):
            chosen[s.pk] = s
    former = [s.code for s in chosen.values() if s.status == State.Status.FORMER]
    if former:
        raise ValidationError(
            {"share_with": _("Former members cannot receive records: %s") % ", ".join(sorted(former))}
        )
    return list(chosen.values())


def can_see_access_log(user, record: IntelRecord) -> bool:
    """Who viewed a record: the originating state's officers and the centre's analysts."""
    if user.has_perm("intel.view_accesslog_intelrecord"):
        return True
    return bool(user.state_id) and user.state_id == record.originating_state_id


def _require_state(user) -> State:
    if not user.state_id:
        raise ValidationError(_("Only a user acting for a state can originate records."))
    return user.state


# What the centre itself originates (its analysts and coordinators), with no originating state.
CENTRE_PRODUCT_KINDS = (RecordKind.ANALYSIS, RecordKind.ALERT, RecordKind.BULLETIN)


def _originating_state(user, kind: str) -> State | None:
    """The user's state; None (the centre) for a centre product written by its staff."""
    from members.roles import is_centre_staff

    if user.state_id:
        return user.state
    if is_centre_staff(user):
        if kind in CENTRE_PRODUCT_KINDS:
            return None
        raise ValidationError(_("The centre originates analytical reports, alerts and bulletins."))
    return _require_state(user)


@transaction.atomic
def create_record(
    *,
    user,
    fields: dict[str, Any],
    recipients: Iterable[State] = (),
    shortcut: str = "",
    identifiers: Iterable[dict[str, Any]] = (),
) -> IntelRecord:
    """Create a record of the user's state, grant it to the originator and the recipients."""
    handling.may_create(user, fields.get("kind", ""), fields.get("tlp", ""), shortcut)
    state = _originating_state(user, fields.get("kind", ""))
    record = IntelRecord(author=user, originating_state=state, **fields)
    record.full_clean(exclude=["reference", "author", "originating_state"])
    record.save()
    record.grant_originator()
    targets = [s for s in resolve_recipients(recipients, shortcut) if s.pk != record.originating_state_id]
    if targets:
        from .signals import record_shared

        record.share_with(targets, ("view",))
        record_shared.send(sender=IntelRecord, record=record, state_ids=[s.pk for s in targets], by=user)
    add_identifiers(record, identifiers)
    return record


def add_identifiers(record: IntelRecord, identifiers: Iterable[dict[str, Any]]) -> None:
    for data in identifiers:
        ident = Identifier(record=record, **data)
        ident.full_clean(exclude=["record", "normalised"])
        ident.save()
    record.refresh_search_vector()


@transaction.atomic
def create_seizure(
    *,
    user,
    fields: dict[str, Any],
    seizure: dict[str, Any],
    items: list[dict[str, Any]],
    recipients: Iterable[State] = (),
    shortcut: str = "",
    identifiers: Iterable[dict[str, Any]] = (),
) -> IntelRecord:
    """A seizure report: the record, its details and at least one item, all or nothing."""
    if not items:
        raise ValidationError({"items": _("A seizure report needs at least one seized item.")})
    record = create_record(
        user=user,
        fields={**fields, "kind": RecordKind.SEIZURE},
        recipients=recipients,
        shortcut=shortcut,
        identifiers=identifiers,
    )
    report = SeizureReport(record=record, **seizure)
    report.full_clean(exclude=["record"])
    report.save()
    for position, data in enumerate(items, start=1):
        item = SeizureItem(seizure=report, position=position, **data)
        item.full_clean(exclude=["seizure", "kg_equivalent"])
        item.save()
    sync_substances([record.pk])  # the substance filter's rows, in this transaction
    return record


def rfi_deadline(urgency: str, deadline=None, now=None):
    """The deadline of a request: from its urgency, or the date given (which must be in the future)."""
    now = now or timezone.now()
    if urgency == Urgency.DATE:
        if deadline is None:
            raise ValidationError({"deadline": _("Give the date by which an answer is needed.")})
        if deadline <= now:
            raise ValidationError({"deadline": _("The deadline must be in the future.")})
        return deadline
    return now + timedelta(hours=URGENCY_HOURS[urgency])


@transaction.atomic
def create_rfi(
    *,
    user,
    fields: dict[str, Any],
    addressees: Iterable[State],
    purpose: str,
    legal_basis: str,
    questions: list[str],
    urgency: str = Urgency.STANDARD,
    deadline=None,
    identifiers: Iterable[dict[str, Any]] = (),
    about: IntelRecord | None = None,
) -> IntelRecord:
    """A request for information, shared with its addressee states; `about` is the
    record it asks about (one the requester may see)."""
    if about is not None and not IntelRecord.objects.visible_to(user).filter(pk=about.pk).exists():
        raise ValidationError({"about": _("You cannot ask about a record you may not see.")})
    state = _require_state(user)
    addressees = [s for s in addressees if s.pk != state.pk]
    if not addressees:
        raise ValidationError({"addressees": _("Choose at least one addressee state other than your own.")})
    questions = [q.strip() for q in questions if q and q.strip()]
    if not questions:
        raise ValidationError({"questions": _("Ask at least one question.")})
    due = rfi_deadline(urgency, deadline)
    record = create_record(
        user=user, fields={**fields, "kind": RecordKind.RFI}, recipients=addressees, identifiers=identifiers
    )
    rfi = RequestForInformation(
        record=record, purpose=purpose, legal_basis=legal_basis, urgency=urgency, deadline=due, about=about
    )
    rfi.full_clean(exclude=["record"])
    rfi.save()
    rfi.addressees.set(addressees)
    RFIQuestion.objects.bulk_create(
        [RFIQuestion(rfi=rfi, position=i, text=text) for i, text in enumerate(questions, start=1)]
    )
    return record


class TransitionError(Exception):
    """An action not allowed in the request's current status (API: 409)."""


def _lock_rfi(rfi_record: IntelRecord) -> RequestForInformation:
    return RequestForInformation.objects.select_for_update().get(record=rfi_record)


def check_addressee(user, rfi: RequestForInformation) -> None:
    if not user.state_id or not rfi.addressees.filter(pk=user.state_id).exists():
        raise PermissionDenied(_("Only an addressee state can answer this request."))


@transaction.atomic
def respond(*, user, rfi_record: IntelRecord, fields: dict[str, Any], outcome: str = RFIStatus.ANSWERED) -> IntelRecord:
    """Answer a request: a record of kind response, shared with the requester automatically."""
    handling.may_act_for_state(user)
    rfi = _lock_rfi(rfi_record)
    check_addressee(user, rfi)
    if outcome not in (RFIStatus.ANSWERED, RFIStatus.PARTLY_ANSWERED, RFIStatus.REFUSED):
        raise ValidationError({"outcome": _("Choose answered, partly answered or refused.")})
    if rfi.status in (RFIStatus.CLOSED, RFIStatus.REFUSED, RFIStatus.ANSWERED):
        raise TransitionError(_("This request is %s and takes no more answers.") % rfi.get_status_display())
    response = create_record(
        user=user,
        fields={**fields, "kind": RecordKind.RESPONSE, "in_reply_to": rfi_record},
        recipients=[rfi_record.originating_state],
    )
    rfi.status = outcome
    rfi.save(update_fields=["status"])
    return response


@transaction.atomic
def acknowledge(*, user, rfi_record: IntelRecord) -> None:
    handling.may_act_for_state(user)
    rfi = _lock_rfi(rfi_record)
    check_addressee(user, rfi)
    if rfi.status != RFIStatus.SENT:
        raise TransitionError(_("Only a request just sent can be acknowledged."))
    rfi.status = RFIStatus.ACKNOWLEDGED
    rfi.save(update_fields=["status"])


@transaction.atomic
def close(*, user, rfi_record: IntelRecord) -> None:
    handling.may_edit(user, rfi_record)
    rfi = _lock_rfi(rfi_record)
    if rfi.status == RFIStatus.CLOSED:
        raise TransitionError(_("This request is already closed."))
    rfi.status = RFIStatus.CLOSED
    rfi.save(update_fields=["status"])


@transaction.atomic
def set_dissemination(*, user, record: IntelRecord, states: Iterable[State], shortcut: str = "") -> None:
    """Widen or narrow who receives a record: the originator only (intel.handling)."""
    states = list(states)
    handling.may_share(user, record, states, shortcut)
    targets = resolve_recipients(states, shortcut)
    before = set(record.shared_state_ids("view"))
    record.set_recipients(targets)
    _announce_dissemination(user, record, before)
    IntelRecord.history.model.objects.create(
        **_history_row(record),
        history_type="~",
        history_date=timezone.now(),
        history_user=user,
        history_change_reason=_("Dissemination: %s")
        % (", ".join(sorted(s.code for s in targets if s.pk != record.originating_state_id)) or "-"),
    )


def _announce_dissemination(user, record: IntelRecord, before: set[int]) -> None:
    """Signal the states newly reached and those that lost the record."""
    from .signals import record_shared, record_withdrawn

    after = set(record.shared_state_ids("view"))
    if after - before:
        record_shared.send(sender=IntelRecord, record=record, state_ids=sorted(after - before), by=user)
    if before - after:
        record_withdrawn.send(sender=IntelRecord, record=record, state_ids=sorted(before - after), by=user)


def _history_row(record: IntelRecord) -> dict[str, Any]:
    tracked = [
        f.attname
        for f in IntelRecord.history.model._meta.fields
        if f.attname in {g.attname for g in IntelRecord._meta.fields}
    ]
    return {name: getattr(record, name) for name in tracked}


@transaction.atomic
def request_dissemination(*, user, record: IntelRecord, states: Iterable[State], reason: str) -> DisseminationRequest:
    """A recipient (or the centre) asks the originator to share the record with more states."""
    handling.may_ask(user, record)
    states = list(states)
    if not states:
        raise ValidationError({"states": _("Choose the states the record should also reach.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record should reach these states.")})
    req = DisseminationRequest.objects.create(
        record=record, requested_by=user, requesting_state_id=user.state_id, reason=reason
    )
    req.states.set(states)
    return req


@transaction.atomic
def decide_dissemination(*, user, request: DisseminationRequest, approve: bool) -> None:
    req = DisseminationRequest.objects.select_for_update().get(pk=request.pk)
    if approve:
        # Approving passes the record on: the forwarding rules (H2, TLP) name the refusal.
        handling.may_forward(user, req.record, list(req.states.all()))
    else:
        handling.may_decide(user, req.record)
    if req.status != DisseminationRequest.Status.PENDING:
        raise TransitionError(_("This request has already been decided."))
    req.status = DisseminationRequest.Status.APPROVED if approve else DisseminationRequest.Status.DECLINED
    req.decided_by = user
    req.decided_at = timezone.now()
    req.save()
    if approve:
        current = State.objects.filter(pk__in=req.record.shared_state_ids("view"))
        set_dissemination(user=user, record=req.record, states=[*current, *req.states.all()])


# --- edits and markings ----------------------------------------------------------------

CONTENT_FIELDS = (
    "title",
    "summary",
    "body",
    "review_date",
    "status",
    "agency",
    "source_reliability",
    "information_credibility",
)


@transaction.atomic
def edit_record(*, user, record: IntelRecord, fields: dict[str, Any], reason: str = "") -> IntelRecord:
    """The originator edits content and, through `remark`, markings; nothing else may.

    `fields` may hold content fields and markings; server-owned fields (author,
    originating state, created_at, reference) are never taken from it.
    """
    handling.may_edit(user, record)
    markings = {k: v for k, v in fields.items() if k in handling.MARKING_FIELDS}
    content = {k: v for k, v in fields.items() if k in CONTENT_FIELDS}
    old = handling.marking_values(record)
    changed_markings = {k: v for k, v in markings.items() if (v or "") != old[k]}
    if changed_markings:
        # Check before anything is written: a refused downgrade leaves the content unchanged too.
        handling.may_remark(user, record, changed_markings, reason)
    for name, value in content.items():
        setattr(record, name, value)
    if content:
        record.full_clean(exclude=["reference", "author", "originating_state", "in_reply_to"])
        record.save()
        record.refresh_search_vector()
    if changed_markings:
        remark(user=user, record=record, markings=changed_markings, reason=reason)
    return record


@transaction.atomic
def remark(*, user, record: IntelRecord, markings: dict[str, str], reason: str = "", request=None) -> MarkingChange:
    """Change a record's markings (originator only). An upgrade always; a downgrade with a
    reason, logged on the record and announced to every recipient state."""
    downgrade = handling.may_remark(user, record, markings, reason)
    old = handling.marking_values(record)
    new = {**old, **{k: v or "" for k, v in markings.items() if k in handling.MARKING_FIELDS}}
    for name, value in new.items():
        setattr(record, name, value)
    record.full_clean(exclude=["reference", "author", "originating_state", "in_reply_to"])
    record._change_reason = (reason or _("Markings changed"))[:100]
    record.save()
    change = MarkingChange.objects.create(
        record=record, changed_by=user, old=old, new=new, downgrade=downgrade, reason=reason or "", request=request
    )
    if downgrade:
        _tell_recipients_of_downgrade(user, record, old, new, reason)
    record_remarked.send(
        sender=IntelRecord, record=record, old=old, new=new, reason=reason or "", by=user, downgrade=downgrade
    )
    return change


def _marking_label(markings: dict[str, str]) -> str:
    return f"{TLP(markings['tlp']).label} {markings['handling_code']} {markings['classification']}"


def _tell_recipients_of_downgrade(user, record: IntelRecord, old: dict, new: dict, reason: str) -> None:
    """A notice to every recipient state (besides the MarkingChange shown on the record
    page and the signal): a downgrade changes what they may do with the record."""
    recipients = [pk for pk in record.shared_state_ids("view") if pk != record.originating_state_id]
    if not recipients:
        return
    notice = Notice.objects.create(
        title=(
            _("Marking downgraded: %(reference)s, %(old)s to %(new)s")
            % {"reference": record.reference, "old": _marking_label(old), "new": _marking_label(new)}
        )[:200],
        body=_("Reason given by the originator: %(reason)s") % {"reason": reason},
        originating_state_id=record.originating_state_id,
        author=user,
    )
    notice.share_with(recipients)


@transaction.atomic
def request_remarking(*, user, record: IntelRecord, markings: dict[str, str], reason: str) -> RemarkingRequest:
    """A recipient or the centre asks the originator to change the markings."""
    handling.may_ask(user, record)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the markings should change.")})
    wanted = {**handling.marking_values(record), **{k: v for k, v in markings.items() if k in handling.MARKING_FIELDS}}
    if wanted == handling.marking_values(record):
        raise ValidationError(_("These are the record's markings already."))
    if wanted["handling_code"] == "H3" and not wanted["handling_note"].strip():
        raise ValidationError({"handling_note": _("Handling code H3 requires a description of the restrictions.")})
    req = RemarkingRequest(record=record, requested_by=user, requesting_state_id=user.state_id, reason=reason, **wanted)
    req.full_clean(exclude=["record", "requested_by", "requesting_state"])
    req.save()
    return req


@transaction.atomic
def decide_remarking(*, user, request: RemarkingRequest, accept: bool) -> None:
    """The originator accepts (the markings change, logged) or refuses a re-marking request."""
    req = RemarkingRequest.objects.select_for_update().select_related("record").get(pk=request.pk)
    handling.may_decide(user, req.record)
    if req.status != RemarkingRequest.Status.PENDING:
        raise TransitionError(_("This request has already been decided."))
    req.status = RemarkingRequest.Status.ACCEPTED if accept else RemarkingRequest.Status.REFUSED
    req.decided_by = user
    req.decided_at = timezone.now()
    req.save()
    if accept:
        remark(user=user, record=req.record, markings=req.markings, reason=req.reason, request=req)


# --- hit / no-hit ---------------------------------------------------------------------


def identifier_hits(user, record: IntelRecord) -> list[dict[str, Any]]:
    """For each identifier of a record: the matching records the user may see, and for
    those the user may not see only "held by <state>: N record(s)".

    Two queries whatever the number of identifiers. The hidden side never selects
    a title, reference or id of a hidden record: only its state and a count.
    """
    idents = list(record.identifiers.all())
    if not idents:
        return []
    stop = set(
        IdentifierStopWord.objects.filter(normalised__in=[i.normalised for i in idents]).values_list(
            "kind", "normalised"
        )
    )
    keys = {}
    for ident in idents:
        stopped = (ident.kind, ident.normalised) in stop or ("", ident.normalised) in stop
        keys[(ident.kind, ident.normalised)] = stopped
    cond = Q()
    for (kind, norm), stopped in keys.items():
        if not stopped:
            cond |= Q(kind=kind, normalised=norm)
    visible_rows: list[dict] = []
    hidden_rows: list[dict] = []
    if cond:
        base = Identifier.objects.filter(cond).exclude(record=record)
        visible = IntelRecord.objects.visible_to(user).filter(pk=OuterRef("record_id"))
        visible_rows = list(
            base.filter(Exists(visible))
            .values("kind", "normalised", "record_id", "record__reference", "record__title")
            .order_by("record__reference")
        )
        hidden_rows = list(
            base.exclude(Exists(visible))
            .values(
                "kind",
                "normalised",
                "record__originating_state__code",
                "record__originating_state__name_en",
                "record__originating_state__name_ru",
            )
            .annotate(n=Count("record_id", distinct=True))
            .order_by("record__originating_state__code")
        )
    result = []
    for ident in idents:
        key = (ident.kind, ident.normalised)
        result.append(
            {
                "identifier": ident,
                "stopped": keys[key],
                "visible": [r for r in visible_rows if (r["kind"], r["normalised"]) == key],
                "hidden": [
                    {
                        "state_code": r["record__originating_state__code"],
                        "state_name": State(
                            name_en=r["record__originating_state__name_en"],
                            name_ru=r["record__originating_state__name_ru"],
                        ).name,
                        "count": r["n"],
                    }
                    for r in hidden_rows
                    if (r["kind"], r["normalised"]) == key
                ],
            }
        )
    return result


@transaction.atomic
def request_access(*, user, record: IntelRecord, identifier: Identifier, state: State) -> IntelRecord:
    """From a hit in records the user may not see: a request for information to their holder."""
    hits = identifier_hits(user, record)
    hit = next((h for h in hits if h["identifier"].pk == identifier.pk), None)
    if hit is None or not any(h["state_code"] == state.code for h in hit["hidden"]):
        raise ValidationError(_("There is no hidden match held by this state."))
    return create_rfi(
        user=user,
        fields={
            "title": _("Request for access: %(kind)s %(value)s")
            % {"kind": identifier.get_kind_display(), "value": identifier.value},
            "tlp": record.tlp,
            "handling_code": record.handling_code,
            "handling_note": record.handling_note,
            "classification": record.classification,
            "source_reliability": "F",
            "information_credibility": "6",
        },
        addressees=[state],
        purpose=_("A linked identifier matched records your state holds (hit/no-hit)."),
        legal_basis=_("CARICC framework agreement, information exchange"),
        questions=[
            _("Please share the records your state holds on %(kind)s %(value)s.")
            % {"kind": identifier.get_kind_display(), "value": identifier.value}
        ],
        identifiers=[{"kind": identifier.kind, "value": identifier.value, "date_of_birth": identifier.date_of_birth}],
    )


# --- attachments ------------------------------------------------------------------------


@transaction.atomic
def add_attachment(*, user, record: IntelRecord, upload) -> Attachment:
    """Attach a file under the portal's upload policy (core.uploads)."""
    handling.may_edit(user, record)
    try:
        checked = uploads.check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return Attachment.objects.create(
        record=record,
        file=upload,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
