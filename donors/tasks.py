"""Daily reminders about instalments and reporting obligations.

`send_reminders` (beat, daily) first marks what fell past due as overdue, then
e-mails donor relations staff:

* once, when the due date is at most DONORS_REMINDER_DAYS_BEFORE days away;
* after the due date, every DONORS_REMINDER_EVERY_DAYS days (the k-th overdue
  reminder once the item is k*M days late, so a missed day catches up);
* never more than DONORS_REMINDER_MAX_COUNT reminders per item in all.

Each reminder is a ReminderLog row unique per item and day, written in the same
transaction as the e-mail is handed over: a second run on the same day finds
the row and sends nothing. The recipients hold donor relations' role (which
sees confidential donors too), so the task reads every item.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.changes import announce
from members.roles import Role

from .choices import InstalmentStatus, ObligationStatus
from .models import Instalment, Pledge, ReminderLog, ReportingObligation
from .signals import reminder_sent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderSettings:
    days_before: int
    every_days: int
    max_count: int


def reminder_settings() -> ReminderSettings:
    return ReminderSettings(
        days_before=getattr(settings, "DONORS_REMINDER_DAYS_BEFORE", 7),
        every_days=max(1, getattr(settings, "DONORS_REMINDER_EVERY_DAYS", 7)),
        max_count=getattr(settings, "DONORS_REMINDER_MAX_COUNT", 5),
    )


@dataclass
class History:
    total: int = 0
    before: int = 0
    overdue: int = 0
    today: bool = False


def reminder_due(due_on: date, today: date, history: History, cfg: ReminderSettings) -> str | None:
    """Which reminder (if any) an item with this due date and history gets today."""
    if history.today or history.total >= cfg.max_count:
        return None
    days_left = (due_on - today).days
    if 0 < days_left <= cfg.days_before and not history.before:
        return ReminderLog.Kind.BEFORE
    if days_left < 0 and -days_left >= cfg.every_days * (history.overdue + 1):
        return ReminderLog.Kind.OVERDUE
    return None


def mark_overdue(today: date) -> int:
    """Unpaid instalments and unsubmitted reports past their due date become overdue."""
    # One UPDATE and one history INSERT per model, not two queries per row.
    instalments = list(Instalment.objects.filter(status=InstalmentStatus.SCHEDULED, due_on__lt=today))
    for instalment in instalments:
        instalment.status = InstalmentStatus.OVERDUE
    obligations = []
    for obligation in ReportingObligation.objects.filter(status=ObligationStatus.DUE, due_on__lt=today):
        status = obligation.derived_status()
        if status != obligation.status:
            obligation.status = status
            obligations.append(obligation)
    now = timezone.now()
    for obligation in obligations:
        obligation.updated_at = now  # bulk_update does not stamp auto_now fields
    with transaction.atomic():
        if instalments:
            bulk_update_with_history(instalments, Instalment, ["status"], batch_size=500)
            # An instalment is part of its pledge's API representation: the pledge changed.
            pledge_ids = {i.pledge_id for i in instalments}
            Pledge.objects.filter(pk__in=pledge_ids).update(updated_at=now)
            announce(Pledge, pledge_ids)
        if obligations:
            bulk_update_with_history(obligations, ReportingObligation, ["status", "updated_at"], batch_size=500)
            announce(ReportingObligation, [o.pk for o in obligations])
    return len(instalments) + len(obligations)


def _recipients() -> list[str]:
    users = get_user_model().objects.with_role(Role.DONOR_RELATIONS).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _histories(targets: list[str], today: date) -> dict[str, History]:
    result: dict[str, History] = defaultdict(History)
    for target, kind, sent_on in ReminderLog.objects.filter(target__in=targets).values_list(
        "target", "kind", "sent_on"
    ):
        h = result[target]
        h.total += 1
        h.before += kind == ReminderLog.Kind.BEFORE
        h.overdue += kind == ReminderLog.Kind.OVERDUE
        h.today = h.today or sent_on == today
    return result


def _instalment_message(item: Instalment, kind: str) -> tuple[str, str]:
    pledge = item.pledge
    params = {
        "donor": pledge.donor.name,
        "amount": item.amount,
        "currency": pledge.currency,
        "date": date_format(item.due_on, "DATE_FORMAT"),
    }
    if kind == ReminderLog.Kind.BEFORE:
        subject = _("Instalment of %(donor)s due on %(date)s") % params
    else:
        subject = _("Overdue instalment of %(donor)s (due %(date)s)") % params
    body = _("%(donor)s: instalment of %(amount)s %(currency)s due on %(date)s.") % params
    return subject, f"{body}\n{_portal_url(pledge.get_absolute_url())}"


def _obligation_message(item: ReportingObligation, kind: str) -> tuple[str, str]:
    agreement = item.agreement
    params = {
        "donor": agreement.pledge.donor.name,
        "kind": item.get_kind_display(),
        "reference": agreement.reference,
        "date": date_format(item.due_on, "DATE_FORMAT"),
    }
    if kind == ReminderLog.Kind.BEFORE:
        subject = _("%(kind)s for %(donor)s due on %(date)s") % params
    else:
        subject = _("Overdue: %(kind)s for %(donor)s (due %(date)s)") % params
    body = _("%(kind)s under agreement %(reference)s with %(donor)s is due on %(date)s.") % params
    return subject, f"{body}\n{_portal_url(item.get_absolute_url())}"


def _portal_url(path: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "")
    return f"{base.rstrip('/')}{path}" if base else path


@shared_task
def send_reminders() -> dict[str, int]:
    """Mark overdue items, then send today's reminders (idempotent per day)."""
    today = timezone.localdate()
    cfg = reminder_settings()
    marked = mark_overdue(today)
    recipients = _recipients()
    if not recipients:
        logger.warning("donors.send_reminders: no active donor relations user with an e-mail address")
        return {"marked_overdue": marked, "sent": 0}

    instalments = list(
        Instalment.objects.filter(
            status__in=[InstalmentStatus.SCHEDULED, InstalmentStatus.OVERDUE], pledge__archived_at__isnull=True
        ).select_related("pledge", "pledge__donor")
    )
    obligations = list(
        ReportingObligation.objects.filter(status__in=[ObligationStatus.DUE, ObligationStatus.OVERDUE]).select_related(
            "agreement", "agreement__pledge", "agreement__pledge__donor"
        )
    )
    items = [(f"instalment:{i.pk}", i, _instalment_message) for i in instalments] + [
        (f"obligation:{o.pk}", o, _obligation_message) for o in obligations
    ]
    histories = _histories([target for target, _item, _msg in items], today)
    sent = 0
    for target, item, message in items:
        kind = reminder_due(item.due_on, today, histories[target], cfg)
        if kind is None:
            continue
        subject, body = message(item, kind)
        try:
            with transaction.atomic():
                ReminderLog.objects.create(target=target, kind=kind, sent_on=today, recipients=", ".join(recipients))
                send_mail(f"[CARICC] {subject}", body, None, recipients)
                # In the portal too (the notifications app): the bell and "waiting for me".
                reminder_sent.send(sender=type(item), item=item, kind=kind)
        except IntegrityError:
            continue  # another run sent it today
        sent += 1
    return {"marked_overdue": marked, "sent": sent}
