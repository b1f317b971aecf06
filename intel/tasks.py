"""Periodic jobs of the information exchange."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.roles import Role

from .models import RequestForInformation


@shared_task
def flag_overdue_rfis() -> int:
    """E-mail the addressee states' officers about each overdue request, once.

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
            recipients = list(
                get_user_model()
                .objects.with_role(Role.LIAISON_OFFICER)
                .filter(state__in=rfi.addressees.all())
                .exclude(email="")
                .values_list("email", flat=True)
                .distinct()
            )
            if recipients:
                send_mail(
                    _("Overdue request for information %s") % rfi.record.reference,
                    _('The request %(ref)s "%(title)s" was due on %(deadline)s and is still open.')
                    % {
                        "ref": rfi.record.reference,
                        "title": rfi.record.title,
                        "deadline": timezone.localtime(rfi.deadline).strftime("%Y-%m-%d %H:%M"),
                    },
                    None,
                    recipients,
                )
            sent += 1
    return sent
