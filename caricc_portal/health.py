"""Health of the portal, in three depths, each for its own caller.

- liveness (`/healthz`): this process answers. No database, no broker, no network:
  an orchestrator may call it every few seconds and it must never be slow or flap
  because a dependency is (a dead database is not cured by restarting the web).
- readiness (`/readyz`): the database and the broker answer, each check bounded
  (READINESS_TIMEOUT_MS for the whole), so a load balancer can take a node out.
- status (`/status/`, staff only): workers (celery inspect ping / active) and queue
  lengths read from Redis. Inspecting workers takes a second or more, which is
  why no probe ever calls it.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

STARTED_AT = time.time()

# Checks run in these threads so that the caller can stop waiting at the deadline
# even when a connect hangs (libpq's connect_timeout cannot go below 2 s). Two
# threads: the database and the broker are checked at the same time.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readiness")


def liveness() -> dict[str, Any]:
    """What this process knows without asking anyone: nothing here may block."""
    return {
        "status": "ok",
        "pid": os.getpid(),
        "uptime_seconds": round(time.time() - STARTED_AT, 1),
        "broker_configured": bool(settings.CELERY_BROKER_URL),
    }


def _check_database() -> str:
    # Runs in a pool thread, which has a connection of its own; it is closed after
    # each check, so no idle connection lingers in the pool between probes.
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                timeout_ms = max(int(settings.READINESS_TIMEOUT_MS), 1)
                cursor.execute("SET statement_timeout = %s", [timeout_ms])
            cursor.execute("SELECT 1")
        return "ok"
    finally:
        connection.close()


def redis_client(url: str, timeout_s: float):
    """A Redis client for the broker URL with short connect and read timeouts."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)


def _check_broker(url: str, timeout_s: float) -> str:
    scheme = urlsplit(url).scheme
    if scheme.startswith("redis") or scheme == "rediss":
        client = redis_client(url, timeout_s)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    from kombu import Connection

    with Connection(url, connect_timeout=timeout_s) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout_s)
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    """Database and broker, checked at once, answered within READINESS_TIMEOUT_MS."""
    budget = settings.READINESS_TIMEOUT_MS / 1000
    deadline = time.monotonic() + budget
    futures: dict[str, Future] = {"database": _executor.submit(_check_database)}
    broker_url = settings.CELERY_BROKER_URL
    if broker_url:
        futures["broker"] = _executor.submit(_check_broker, broker_url, budget)
    checks: dict[str, str] = {} if broker_url else {"broker": "not configured (tasks run in-process)"}
    for name, future in futures.items():
        try:
            checks[name] = future.result(timeout=max(deadline - time.monotonic(), 0))
        except FutureTimeout:
            checks[name] = "timeout"
        except Exception as exc:  # any failure of a dependency means "not ready"
            checks[name] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" or value.startswith("not configured") for value in checks.values())
    return ready, checks


def queue_lengths(url: str, queues: list[str], timeout_s: float = 1.0) -> dict[str, int]:
    """Messages waiting per queue, read from the Redis broker (kombu keeps one list per queue
    and, with priorities, one per priority step suffixed by a separator)."""
    client = redis_client(url, timeout_s)
    try:
        lengths = {}
        for name in queues:
            keys = [name, *client.scan_iter(match=f"{name}\x06\x16*", count=100)]
            lengths[name] = sum(client.llen(key) for key in keys)
        lengths["unacknowledged"] = client.hlen("unacked")
        return lengths
    finally:
        client.close()


def worker_status(timeout_s: float = 1.0) -> dict[str, Any]:
    """Which workers answer a ping and what each is running (celery inspect)."""
    from caricc_portal.celery import app

    inspector = app.control.inspect(timeout=timeout_s)
    pings = inspector.ping() or {}
    active = inspector.active() or {} if pings else {}
    return {
        "workers": [
            {"name": name, "active": [task.get("name", "") for task in active.get(name, [])]} for name in sorted(pings)
        ]
    }
