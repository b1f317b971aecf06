"""Webhook deliveries: which subscriptions a change concerns, the signed request, the retry rule.

Signed per the Standard Webhooks specification with the `standardwebhooks` package:
headers `webhook-id`, `webhook-timestamp`, `webhook-signature` over
`{id}.{timestamp}.{body}` (HMAC-SHA256 with the subscription's secret).
"""

from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from .feed import event_concerns, visible_ids
from .models import ChangeEvent, WebhookDelivery, WebhookSubscription
from .registry import KINDS


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def max_failures() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_FAILURES", 10))


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 6))


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff: 30 s, 60 s, 120 s... capped at an hour."""
    base = int(getattr(settings, "WEBHOOK_BACKOFF_SECONDS", 30))
    return min(base * 2 ** max(attempt - 1, 0), 3600)


def enqueue_for_event(event: ChangeEvent) -> None:
    """A delivery for every active subscription that wants this kind, sent after commit."""
    enqueue_for_events([event])


def enqueue_for_events(events: list[ChangeEvent]) -> None:
    """Deliveries for a batch of events in a constant number of queries (bulk writes, shares)."""
    if not events:
        return
    subs = list(WebhookSubscription.objects.filter(is_active=True).select_related("user"))
    if not subs:
        return
    # One write often saves an object twice and shares it: a subscription still waiting
    # to be told about this object (same change kind) needs no second message.
    waiting = set(
        WebhookDelivery.objects.filter(
            subscription__in=subs,
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            event__kind__in={e.kind for e in events},
            event__object_id__in={e.object_id for e in events},
        ).values_list("subscription_id", "event__kind", "event__object_id", "event__op")
    )
    deliveries = []
    for event in events:
        for sub in subs:
            if event.state_id is not None and sub.user.state_id != event.state_id:
                continue
            key = (sub.pk, event.kind, event.object_id, event.op)
            if sub.wants(event.kind) and key not in waiting:
                waiting.add(key)
                deliveries.append(WebhookDelivery(subscription=sub, event=event))
    if not deliveries:
        return
    from .tasks import deliver

    for delivery in WebhookDelivery.objects.bulk_create(deliveries):
        deliver.delay_on_commit(delivery.pk)


def payload(event: ChangeEvent, base_url: str = "") -> dict:
    data = {"id": event.pk, "kind": event.kind, "object_id": event.object_id, "op": event.op, "url": None}
    if event.op == ChangeEvent.Op.UPSERT:
        data["url"] = base_url + reverse(KINDS[event.kind].detail_view, args=[event.object_id])
    return {"type": f"{event.kind}.{event.op}", "timestamp": event.at.isoformat(), "data": data}


def signed_request(sub: WebhookSubscription, delivery: WebhookDelivery, body: str, now: datetime):
    headers = {
        "content-type": "application/json",
        "user-agent": "CARICC-Portal-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(sub.secret).sign(delivery.message_id, now, body),
    }
    return urllib.request.Request(sub.url, data=body.encode(), headers=headers, method="POST")  # noqa: S310


def attempt(delivery_id: int) -> tuple[str, int | None]:
    """Send one delivery once. Returns (outcome, retry_in_seconds or None).

    Visibility is decided now: a change the account may no longer see is skipped.
    """
    delivery = WebhookDelivery.objects.select_related("subscription__user", "event").get(pk=delivery_id)
    sub, event = delivery.subscription, delivery.event
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status, None
    if not sub.is_active:
        delivery.status, delivery.error = WebhookDelivery.Status.FAILED, "subscription disabled"
        delivery.save(update_fields=["status", "error"])
        return delivery.status, None
    user = sub.user
    seen = event.kind in KINDS and event.object_id in visible_ids(user, event.kind, [event.object_id])
    if not user.is_active or not event_concerns(user, event.op, event.state_id, seen):
        delivery.status = WebhookDelivery.Status.SKIPPED
        delivery.save(update_fields=["status"])
        return delivery.status, None
    body = json.dumps(payload(event, getattr(settings, "PORTAL_BASE_URL", "")), separators=(",", ":"))
    now = timezone.now()
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(signed_request(sub, delivery, body, now), timeout=10) as response:  # noqa: S310
            code = response.status
        error = ""
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        code, error = None, str(exc)[:500]
    delivery.response_status = code
    delivery.error = error
    with transaction.atomic():
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at = WebhookDelivery.Status.SUCCEEDED, timezone.now()
            delivery.save()
            WebhookSubscription.objects.filter(pk=sub.pk).update(consecutive_failures=0)
            return delivery.status, None
        sub = WebhookSubscription.objects.select_for_update().get(pk=sub.pk)
        sub.consecutive_failures += 1
        if sub.consecutive_failures >= max_failures():
            sub.is_active, sub.disabled_at = False, timezone.now()
        sub.save(update_fields=["consecutive_failures", "is_active", "disabled_at", "updated_at"])
        if sub.is_active and delivery.attempts < max_attempts():
            delivery.save()
            return "retry", backoff_seconds(delivery.attempts)
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.save()
        return delivery.status, None


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same change to the same subscription (sent after commit)."""
    from .tasks import deliver

    copy = WebhookDelivery.objects.create(subscription=delivery.subscription, event=delivery.event, replay_of=delivery)
    deliver.delay_on_commit(copy.pk)
    return copy
