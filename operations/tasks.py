"""Celery tasks of the operations app: e-mail notices of transitions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from members.roles import Role


def notification_recipients(operation) -> list[str]:
    """E-mail addresses of the participating states' liaison officers and the coordinators."""
    User = get_user_model()
    state_ids = list(operation.participations.values_list("state_id", flat=True))
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(state_id__in=state_ids, groups__name=Role.LIAISON_OFFICER)
            | Q(state__isnull=True, groups__name=Role.COORDINATOR)
        )
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(users)


@shared_task
def notify_transition(log_id: int) -> int:
    """Mail everyone concerned about one logged transition; returns the number of messages."""
    from .models import TransitionLog

    log = TransitionLog.objects.select_related("operation", "operation__lead_state", "by").filter(pk=log_id).first()
    if log is None:
        return 0
    operation = log.operation
    recipients = notification_recipients(operation)
    if not recipients:
        return 0
    base_url = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    # One message per recipient: recipients never see each other's addresses.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"log": log, "operation": operation, "url": base_url + operation.get_absolute_url()}
        subject = render_to_string("operations/email/transition_subject.txt", context).strip()
        body = render_to_string("operations/email/transition_body.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    return send_mass_mail(messages, fail_silently=False)
