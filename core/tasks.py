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
