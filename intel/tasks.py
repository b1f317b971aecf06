"""Periodic jobs of the information exchange."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .models import RequestForInformation
from .signals import rfi_overdue


@shared_task
def flag_overdue_rfis() -> int:
    """Tell the addressee states' officers about each overdue request, once (intel.signals.rfi_overdue).

    Idempotent: a request is claimed by setting `overdue_notified_at` in a
    conditional UPDATE, so a second run (or a second worker) finds nothing to do.
    """
    now = timezone.now()
    candidates = RequestForInformation.objects.filter(
        deadline__lt=now,
        status__in=RequestForInformation.OPEN_STATUSES,
        overdue_notified_at__isnull=True,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(candidates):
        with transaction.atomic():
            claimed = RequestForInformation.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            )
            if not claimed:
                continue
            rfi = RequestForInformation.objects.select_related("record").get(pk=pk)
            # The addressees' officers are told through notifications (in the portal and
            # by e-mail in each reader's language, as each reader chose).
            rfi_overdue.send(sender=RequestForInformation, rfi=rfi)
            sent += 1
    return sent
