"""Webhook tasks, named `webhooks.*` so the deployment routes them to the partner-facing queue."""

from celery import shared_task

from . import webhooks


@shared_task(name="webhooks.deliver", bind=True, max_retries=None, acks_late=True)
def deliver(self, delivery_id: int) -> str:
    """Send one delivery; on failure retry with exponential backoff (webhooks.backoff_seconds)."""
    outcome, retry_in = webhooks.attempt(delivery_id)
    if retry_in is not None and self.request.is_eager:
        # In-process mode (no broker): nothing would run a delayed retry, so retry now,
        # still bounded by WEBHOOK_MAX_ATTEMPTS and the failure count.
        while retry_in is not None:
            outcome, retry_in = webhooks.attempt(delivery_id)
        return outcome
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return outcome
