"""Receipts, review dates and the centre's products: the exchange moving by itself (issue 13).

Receipts: a recipient state's first opening of a record is recorded (Receipt.record_opened,
from the record page and the API detail) and can be acknowledged explicitly; the
originator sees, per recipient state, not yet opened / received / acknowledged.
Review dates: the originator is reminded (notifications.tasks.remind_reviews) and
extends the date or archives the record here.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import State
from members.roles import is_centre_staff, is_state_officer

from . import handling
from .models import IntelRecord, Receipt
from .signals import record_archived
from .vocabularies import RecordStatus

NOT_OPENED = "not_opened"
RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
RECEIPT_LABELS = {
    NOT_OPENED: gettext_lazy("not yet opened"),
    RECEIVED: gettext_lazy("received"),
    ACKNOWLEDGED: gettext_lazy("acknowledged"),
}


def is_originator(user, record: IntelRecord) -> bool:
    """An officer of the originating state, or the centre's staff for the centre's products
    (the rule lives in intel.handling, the one place originator control is decided)."""
    return handling.is_originator(user, record)


def may_see_receipts(user, record: IntelRecord) -> bool:
    """The originator, and the centre's staff (who see every record)."""
    return is_originator(user, record) or is_centre_staff(user)


def receipts(record: IntelRecord) -> list[dict]:
    """Per recipient state: its receipt status and when (two queries)."""
    found = {r.state_id: r for r in Receipt.objects.filter(record=record)}
    recipient_ids = [pk for pk in record.shared_state_ids("view") if pk != record.originating_state_id]
    rows = []
    for state in State.objects.filter(pk__in=recipient_ids).order_by("code"):
        receipt = found.get(state.pk)
        status = NOT_OPENED
        if receipt is not None:
            status = ACKNOWLEDGED if receipt.acknowledged_at else RECEIVED
        rows.append(
            {
                "state": state,
                "status": status,
                "label": RECEIPT_LABELS[status],
                "opened_at": receipt.opened_at if receipt else None,
                "acknowledged_at": receipt.acknowledged_at if receipt else None,
            }
        )
    return rows


def can_acknowledge(user, record: IntelRecord) -> bool:
    """An officer of a recipient state (not the originator) whose state has not yet acknowledged."""
    if not user.state_id or user.state_id == record.originating_state_id:
        return False
    if not is_state_officer(user, user.state_id):
        return False
    return not Receipt.objects.filter(record=record, state_id=user.state_id, acknowledged_at__isnull=False).exists()


@transaction.atomic
def acknowledge(user, record: IntelRecord) -> Receipt:
    """Acknowledge receipt for the user's state (an officer of a recipient state)."""
    if not user.state_id or user.state_id == record.originating_state_id or not is_state_officer(user, user.state_id):
        raise PermissionDenied(_("Only an officer of a recipient state acknowledges receipt."))
    now = timezone.now()
    Receipt.objects.bulk_create(
        [Receipt(record=record, state_id=user.state_id, opened_at=now, opened_by=user)], ignore_conflicts=True
    )
    receipt = Receipt.objects.select_for_update().get(record=record, state_id=user.state_id)
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at = now
        receipt.acknowledged_by = user
        receipt.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return receipt


def _require_originator(user, record: IntelRecord) -> None:
    # Extending the review date and archiving are edits: intel.handling decides (403 naming the rule).
    handling.may_edit(user, record)


@transaction.atomic
def extend_review(user, record: IntelRecord, new_date: dt.date) -> None:
    """Move the review date forward (the originator)."""
    _require_originator(user, record)
    if new_date <= timezone.localdate():
        raise ValidationError({"review_date": _("The new review date must be in the future.")})
    record.review_date = new_date
    record._change_reason = _("Review date extended")
    record.save(update_fields=["review_date", "updated_at"])


@transaction.atomic
def archive(user, record: IntelRecord) -> None:
    """Archive the record (the originator); every recipient state is told."""
    _require_originator(user, record)
    if record.status == RecordStatus.ARCHIVED:
        return
    record.status = RecordStatus.ARCHIVED
    record._change_reason = _("Archived")
    record.save(update_fields=["status", "updated_at"])
    record_archived.send(sender=IntelRecord, record=record, by=user)
