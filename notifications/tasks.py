"""E-mail of notifications (at once or as a daily digest) and the daily review-date reminder.

Every task here is named `notifications.tasks.*`, so the route `notifications.*`
puts them on the `notify` queue. Each e-mail is written in its reader's language
and names references and links only, never a record's title or text. A
notification is claimed (`emailed_at` set by a conditional UPDATE) before its
e-mail is handed over, so a second run or a second worker sends nothing twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .events import EVENTS, Event
from .models import Notification, Preference, default_delivery

logger = logging.getLogger(__name__)


def portal_url(path: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return f"{base}{path}"


def _claim(ids: list[int]) -> list[int]:
    """Set emailed_at on those still unclaimed; return the ids this run claimed."""
    claimed = []
    now = timezone.now()
    for pk in ids:
        if Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=now):
            claimed.append(pk)
    return claimed


def build_email(user, notifications: list[Notification], *, digest: bool = False) -> EmailMessage:
    """One e-mail to one reader, in the reader's language: the events, references and links."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        items = [
            {
                "message": n.message,
                "label": n.get_event_display(),
                "reference": n.reference,
                "url": portal_url(n.get_absolute_url()) if n.has_link else "",
            }
            for n in notifications
        ]
        context = {"user": user, "items": items, "digest": digest, "portal": portal_url("/notifications/")}
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        body = render_to_string("notifications/email/body.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])


@shared_task(name="notifications.tasks.send_immediate")
def send_immediate(batch: str) -> int:
    """E-mail the readers of one event's batch who want e-mail at once; returns messages sent."""
    rows = list(Notification.objects.filter(batch=batch, emailed_at__isnull=True).select_related("user"))
    if not rows:
        return 0
    group = EVENTS[rows[0].event].group
    stated = dict(
        Preference.objects.filter(user_id__in=[n.user_id for n in rows], group=group).values_list("user_id", "delivery")
    )
    messages = []
    for n in rows:
        user = n.user
        if not user.email or not user.is_active:
            continue
        if stated.get(user.pk, default_delivery(group)) != Preference.Delivery.IMMEDIATE:
            continue
        # Still readable now (access may have been withdrawn since the event)?
        if not Notification.objects.readable_by(user).filter(pk=n.pk).exists():
            continue
        if _claim([n.pk]):
            messages.append(build_email(user, [n]))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


@shared_task(name="notifications.tasks.send_digests")
def send_digests() -> int:
    """The daily digest: per user, every unmailed notification of the groups they want as a digest."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for user_id, group in Preference.objects.filter(delivery=Preference.Delivery.DIGEST).values_list(
        "user_id", "group"
    ):
        wanted[user_id].add(group)
    sent = 0
    User = get_user_model()
    for user in User.objects.filter(pk__in=list(wanted), is_active=True).exclude(email=""):
        events = [e for e, spec in EVENTS.items() if spec.group in wanted[user.pk]]
        pending = list(
            Notification.objects.readable_by(user)
            .filter(emailed_at__isnull=True, event__in=events)
            .select_related("subject_type")
            .order_by("created_at", "id")[:200]
        )
        claimed = set(_claim([n.pk for n in pending]))
        pending = [n for n in pending if n.pk in claimed]
        if pending:
            build_email(user, pending, digest=True).send()
            sent += 1
    return sent


@shared_task(name="notifications.tasks.remind_reviews")
def remind_reviews() -> int:
    """Tell the originator of each active record whose review date has come (once per date)."""
    from intel.models import IntelRecord
    from intel.vocabularies import RecordStatus
    from members.roles import Role

    from .services import holders_of, notify, officers_of

    today = timezone.localdate()
    ct = ContentType.objects.get_for_model(IntelRecord)
    due = IntelRecord.objects.filter(review_date__lte=today, status=RecordStatus.ACTIVE).only(
        "pk", "reference", "review_date", "originating_state_id"
    )
    written = 0
    for record in due.iterator():
        stamp = record.review_date.isoformat()
        done = Notification.objects.filter(
            Q(event=Event.REVIEW_DUE, subject_type=ct, subject_id=record.pk, detail=stamp)
        ).exists()
        if done:
            continue
        if record.originating_state_id:
            recipients = officers_of([record.originating_state_id])
        else:
            recipients = holders_of(Role.COORDINATOR, Role.ANALYST)
        written += notify(Event.REVIEW_DUE, record, recipients, detail=stamp)
    return written
