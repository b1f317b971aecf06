"""Notifications: one row per reader and event, read through its subject's visibility.

A notification names its subject (a content type and an id) and a reference
(the record's or operation's reference, never its title or text). The list, the
bell count and the API read notifications through `Notification.objects.readable_by(user)`,
which keeps only those whose subject the reader may still see (`visible_to`): a
notification about a record whose sharing was withdrawn disappears with it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.visibility import VisibleQuerySet

from .events import EVENTS, SUBJECT_FREE_EVENTS, Event, EventGroup, subject_models


class NotificationQuerySet(VisibleQuerySet):
    """Notifications, with the one reading rule (core.visibility's contract)."""

    def visible_for_user(self, user, action: str = "view") -> NotificationQuerySet:
        """The user's own notifications whose subject they may still see.

        One EXISTS per subject model over that model's `visible_to(user)`: the same
        visibility as the subject's own pages. Events that tell of a withdrawal
        (the reader lost access) name only the reference the reader already had
        and carry no link; they are kept. Nobody, the centre included, reads
        another user's notifications.
        """
        condition = Q(event__in=SUBJECT_FREE_EVENTS)
        for model in subject_models():
            visible = model._default_manager.visible_to(user)
            if visible.query.is_empty():
                continue  # e.g. donors' rows for a state officer: no EXISTS to build or plan
            ct_id = ContentType.objects.get_for_model(model).pk
            condition |= Q(subject_type_id=ct_id) & Exists(visible.filter(pk=OuterRef("subject_id")))
        return self.filter(user_id=user.pk).filter(condition)

    def readable_by(self, user) -> NotificationQuerySet:
        """What the list, the bell, the API and the e-mails read: `visible_to(user)`."""
        return self.visible_to(user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a user should know: an event about a subject (record, operation, instalment, report)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.BigIntegerField(_("subject id"))
    # The subject's reference (e.g. CARICC-2026-000042): what the reader may be told
    # about it in a list or an e-mail. Never a title or a text.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    # A code refining the event (e.g. the operation's new status); never content.
    detail = models.CharField(_("detail"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # All rows written by one event share a batch id: the e-mail task of that event reads them by it.
    batch = models.UUIDField(_("batch"), db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The list: a user's notifications, newest first (keyset pages).
            models.Index(fields=["user", "-created_at", "-id"], name="notif_user_created_idx"),
            # The bell: a user's unread notifications only, so the count walks
            # nothing but unread rows whatever the table holds.
            models.Index(
                fields=["user", "-created_at", "-id"],
                name="notif_user_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            # The daily digest: rows not yet e-mailed.
            models.Index(fields=["created_at"], name="notif_unmailed_idx", condition=Q(emailed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event} {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.pk])

    @property
    def spec(self):
        return EVENTS[self.event]

    @property
    def message(self) -> str:
        """The sentence shown in the list and the e-mail, in the active language."""
        return self.spec.message(self)

    @property
    def group(self) -> str:
        return self.spec.group

    @property
    def has_link(self) -> bool:
        """Whether the notification leads to its subject (not when it tells of lost access)."""
        return self.event not in SUBJECT_FREE_EVENTS


class Preference(models.Model):
    """How a user wants e-mail for one group of events: at once, in a daily digest, or never."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DIGEST = "digest", _("Daily digest")
        NEVER = "never", _("Never")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    group = models.CharField(_("events"), max_length=20, choices=EventGroup.choices)
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        ordering = ["user", "group"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="notif_pref_user_group_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.group}: {self.delivery}"

    @classmethod
    def delivery_for(cls, user_id: int, group: str) -> str:
        found = cls.objects.filter(user_id=user_id, group=group).values_list("delivery", flat=True).first()
        return found or default_delivery(group)


def default_delivery(group: str) -> str:
    """Without a stated preference: e-mail at once, except donor reminders, which the
    donors app already e-mails on its own schedule (a second e-mail would double it)."""
    return Preference.Delivery.NEVER if group == EventGroup.DONORS else Preference.Delivery.IMMEDIATE
