"""Cross-cutting tasks of the foundation."""

import os
import socket

from celery import shared_task
from django.db import connection


@shared_task(name="core.heartbeat")
def heartbeat() -> dict:
    """Prove a worker runs end to end: it reaches the database and answers.

    Returns the worker's host, process id and database server time, so a
    caller can tell the answer came from another process.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_TIMESTAMP")
        (db_now,) = cursor.fetchone()
    return {"host": socket.gethostname(), "pid": os.getpid(), "db_time": str(db_now)}


@shared_task(name="core.purge_expired_keys")
def purge_expired_keys() -> dict:
    """Hourly: forget Idempotency-Key answers and form one-time tokens older than their time to live."""
    from django.utils import timezone

    from .models import IdempotencyKey, SubmissionToken, idempotency_ttl

    keys, _ = IdempotencyKey.objects.expired().delete()
    tokens, _ = SubmissionToken.objects.filter(created_at__lte=timezone.now() - idempotency_ttl()).delete()
    return {"idempotency_keys": keys, "submission_tokens": tokens}
