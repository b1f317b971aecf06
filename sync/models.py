"""The change feed: one row per change of an API object, written with the change."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeEvent(models.Model):
    """Something a partner's mirror must apply: an object changed (upsert) or left a scope (tombstone).

    Written in the same transaction as the change (post_save signals, and
    core.sharing's grant/revoke hook). `state` is empty for events that concern
    everyone who may see the object (upserts; visibility is decided when the feed
    is read) and names the state for a tombstone of a revoked share. Read by id,
    the cursor of /api/v1/changes/.
    """

    class Op(models.TextChoices):
        UPSERT = "upsert", _("Created or changed")
        TOMBSTONE = "tombstone", _("Removed from scope")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    op = models.CharField(_("operation"), max_length=10, choices=Op.choices)
    state = models.ForeignKey(
        "members.State",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state"),
        help_text=_("Empty: every caller who may see the object; otherwise the state whose access ended."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        indexes = [
            # A state's feed: its own tombstones and the shared events, in id order.
            models.Index(fields=["state", "id"], name="sync_change_state_id"),
            models.Index(fields=["kind", "object_id"], name="sync_change_object"),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.kind} {self.object_id}"


class WebhookSubscription(models.Model):
    """A partner account's push endpoint: the kinds of change it wants, signed with its secret.

    The secret (Standard Webhooks `whsec_...`) is shown once, when the subscription is
    created; it is kept to sign deliveries. After `WEBHOOK_MAX_FAILURES` consecutive
    failed deliveries the subscription is disabled (`disabled_at`) until its owner
    enables it again.
    """

    user = models.ForeignKey(
        "members.User", on_delete=models.CASCADE, related_name="webhook_subscriptions", verbose_name=_("account")
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(
        _("kinds of change"), default=list, help_text=_("Kinds such as intel.record; empty means every kind.")
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        indexes = [models.Index(fields=["is_active", "user"], name="sync_webhook_active")]

    def __str__(self) -> str:
        return self.url

    def wants(self, kind: str) -> bool:
        return not self.events or kind in self.events


class WebhookDelivery(models.Model):
    """One change sent (or to be sent) to one subscription: the delivery log, replayable."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (not visible at delivery time)")

    id = models.BigAutoField(primary_key=True)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    event = models.ForeignKey(ChangeEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("change"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("last response status"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replay of")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["subscription", "-created_at", "-id"], name="sync_delivery_log")]

    def __str__(self) -> str:
        return f"{self.subscription_id}:{self.event_id} {self.status}"

    @property
    def message_id(self) -> str:
        """The Standard Webhooks `webhook-id`: the same for every attempt of one delivery."""
        return f"msg_{self.pk}"
