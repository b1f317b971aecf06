import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializer_fields import StrictCharField

from ..models import ChangeEvent, WebhookDelivery, WebhookSubscription
from ..registry import KINDS


def validate_webhook_url(value: str) -> str:
    """http(s) only; no loopback, private or link-local address unless WEBHOOK_ALLOW_PRIVATE_HOSTS
    (the portal must not be made to call its own network on a partner's behalf)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise serializers.ValidationError(_("Enter an http or https URL."))
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_HOSTS", False):
        return value
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError as exc:
        raise serializers.ValidationError(_("The host name does not resolve.")) from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise serializers.ValidationError(_("The URL points to a private or local address."))
    return value


class ChangeSerializer(serializers.Serializer):
    """One change: an object to fetch again (upsert, with its url) or to drop (tombstone: id and kind only)."""

    id = serializers.IntegerField(help_text="The event's id; the feed's cursor.")
    kind = serializers.ChoiceField(choices=sorted(KINDS))
    object_id = serializers.IntegerField()
    op = serializers.ChoiceField(choices=ChangeEvent.Op.choices)
    at = serializers.DateTimeField()
    url = serializers.URLField(allow_null=True, help_text="The object's API URL; null for a tombstone.")


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next page; null when the feed is caught up.")
    cursor = serializers.IntegerField(help_text="Resume later with ?after=<cursor>.")


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=500, help_text="Where changes are POSTed (http or https).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(KINDS)),
        required=False,
        help_text="Kinds of change to receive; empty or absent: every kind.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "consecutive_failures", "disabled_at", "created_at", "updated_at"]
        read_only_fields = ["id", "consecutive_failures", "disabled_at", "created_at", "updated_at"]

    def validate_url(self, value: str) -> str:
        return validate_webhook_url(value)


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = StrictCharField(
        read_only=True, help_text="The signing secret (Standard Webhooks). Shown this once: store it."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    change = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "status",
            "attempts",
            "response_status",
            "error",
            "created_at",
            "delivered_at",
            "replay_of",
            "change",
        ]
        read_only_fields = fields

    @extend_schema_field(ChangeSerializer)
    def get_change(self, obj) -> dict:
        e = obj.event
        return {"id": e.pk, "kind": e.kind, "object_id": e.object_id, "op": e.op, "at": e.at, "url": None}
