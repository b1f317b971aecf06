"""Receivers: the domain apps' signals turned into notifications (one statement per event).

The domain apps send their own signals (intel.signals, operations.signals,
donors.signals) or save their own rows (post_save); they never import this
app. Each receiver picks the recipients as a queryset and calls `notify`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save

from members.roles import Role

from .events import Event
from .services import holders_of, notify, officers_of, permissions_changed, users


def _deciders(record):
    """Who decides on a record's dissemination and markings: its originator's officers,
    or the centre's coordinators for the centre's own products."""
    if record.originating_state_id:
        return officers_of([record.originating_state_id])
    return holders_of(Role.COORDINATOR)


# --- intel ---------------------------------------------------------------------------


def record_shared(sender, record, state_ids, by=None, **kwargs) -> None:
    """Newly reached states: a request addressed to them, an answer to their request, or a record."""
    from intel.vocabularies import RecordKind

    state_ids = [pk for pk in state_ids if pk != record.originating_state_id]
    if not state_ids:
        return
    event = {RecordKind.RFI: Event.RFI_RECEIVED, RecordKind.RESPONSE: Event.RFI_ANSWERED}.get(
        record.kind, Event.RECORD_SHARED
    )
    notify(event, record, officers_of(state_ids), exclude=by)


def record_withdrawn(sender, record, state_ids, by=None, **kwargs) -> None:
    state_ids = [pk for pk in state_ids if pk != record.originating_state_id]
    if state_ids:
        notify(Event.RECORD_WITHDRAWN, record, officers_of(state_ids), exclude=by)


def _recipient_states(record) -> list[int]:
    return [pk for pk in record.shared_state_ids("view") if pk != record.originating_state_id]


def record_archived(sender, record, by=None, **kwargs) -> None:
    notify(Event.RECORD_ARCHIVED, record, officers_of(_recipient_states(record)), exclude=by)


def record_remarked(sender, record, by=None, **kwargs) -> None:
    notify(Event.RECORD_REMARKED, record, officers_of(_recipient_states(record)), exclude=by)


def rfi_overdue(sender, rfi, **kwargs) -> None:
    notify(Event.RFI_OVERDUE, rfi.record, officers_of(rfi.addressees.values_list("pk", flat=True)))


def dissemination_requested(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        record = instance.record
        notify(Event.DISSEMINATION_REQUESTED, record, _deciders(record), exclude=instance.requested_by)


def remarking_requested(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        record = instance.record
        notify(Event.REMARKING_REQUESTED, record, _deciders(record), exclude=instance.requested_by)


# --- operations -------------------------------------------------------------------------

STATUS_TRANSITIONS = {"approve", "reject", "start", "suspend", "resume", "complete", "cancel", "close"}


def operation_transitioned(sender, log, **kwargs) -> None:
    """Consents asked of the states, approval asked of the coordinators, news for participants."""
    op = log.operation
    if log.transition in ("propose", "consent_lifted"):
        consents_reset(sender, log.operation, by=log.by)
    elif log.transition == "request_approval":
        notify(Event.APPROVAL_NEEDED, op, holders_of(Role.COORDINATOR), exclude=log.by)
    elif log.transition in STATUS_TRANSITIONS or log.transition == "return_to_draft":
        notify(
            Event.OPERATION_STATUS,
            op,
            officers_of(op.participations.values_list("state_id", flat=True)),
            detail=log.to_status,
            exclude=log.by,
        )


def consents_reset(sender, operation, by=None, **kwargs) -> None:
    """Every non-lead, non-observer state whose consent is not granted is asked for it."""
    owing = operation.participations.exclude(role="lead").exclude(role="observer").exclude(consent="granted")
    notify(Event.CONSENT_NEEDED, operation, officers_of(owing.values_list("state_id", flat=True)), exclude=by)


# --- donors and reports -------------------------------------------------------------------


def reminder_sent(sender, item, kind, **kwargs) -> None:
    from donors.models import Instalment

    if isinstance(item, Instalment):
        event, reference = Event.INSTALMENT_DUE, f"#{item.pledge_id} {item.due_on:%Y-%m-%d}"
    else:
        event, reference = Event.OBLIGATION_DUE, item.agreement.reference
    notify(event, item, holders_of(Role.DONOR_RELATIONS), reference=reference, detail=kind)


def report_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    """A report build that just succeeded (reports' task saves the status with update_fields).

    By post_save on "reports.ReportRequest", named by label: nothing but the root URLconf
    imports the reports package (tests/core/test_architecture.py)."""
    if raw or created or not update_fields or "status" not in update_fields:
        return
    if instance.status == "succeeded" and instance.requested_by_id:
        notify(Event.REPORT_READY, instance, users(instance.requested_by_id), reference=f"#{instance.pk}")


def connect() -> None:
    """Connect every receiver (from NotificationsConfig.ready)."""
    import donors.signals
    import intel.signals
    import operations.signals
    from intel.models import DisseminationRequest, RemarkingRequest

    intel.signals.record_shared.connect(record_shared, dispatch_uid="notifications.record_shared")
    intel.signals.record_withdrawn.connect(record_withdrawn, dispatch_uid="notifications.record_withdrawn")
    intel.signals.record_archived.connect(record_archived, dispatch_uid="notifications.record_archived")
    intel.signals.record_remarked.connect(record_remarked, dispatch_uid="notifications.record_remarked")
    intel.signals.rfi_overdue.connect(rfi_overdue, dispatch_uid="notifications.rfi_overdue")
    post_save.connect(
        dissemination_requested, sender=DisseminationRequest, dispatch_uid="notifications.dissemination_requested"
    )
    post_save.connect(remarking_requested, sender=RemarkingRequest, dispatch_uid="notifications.remarking_requested")
    operations.signals.operation_transitioned.connect(
        operation_transitioned, dispatch_uid="notifications.operation_transitioned"
    )
    operations.signals.consents_reset.connect(consents_reset, dispatch_uid="notifications.consents_reset")
    donors.signals.reminder_sent.connect(reminder_sent, dispatch_uid="notifications.reminder_sent")
    post_save.connect(report_saved, sender="reports.ReportRequest", dispatch_uid="notifications.report_saved")
    # The bell's cached statement follows the permissions of groups and users.
    m2m_changed.connect(
        permissions_changed, sender=Group.permissions.through, dispatch_uid="notifications.bell.group_perms"
    )
    m2m_changed.connect(
        permissions_changed,
        sender=get_user_model().user_permissions.through,
        dispatch_uid="notifications.bell.user_perms",
    )
