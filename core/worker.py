"""What a Celery worker process does at start (connected by caricc_portal.celery).

* Its database connections get the worker's time bounds, not the web's
  (core.db: long report builds must not hit the 30 s web statement timeout).
* It warns when the Redis broker keeps no append-only file: a restart of such a
  broker loses every queued message. Nothing is lost for reports (their sweep
  re-sends rows still queued) but other tasks would be, and reports wait a minute.
"""

from __future__ import annotations

import logging

from celery.signals import worker_init, worker_process_init, worker_ready

from . import db

logger = logging.getLogger("core.worker")


@worker_init.connect
def mark_worker_process(**kwargs) -> None:
    db.IN_WORKER = True
    # Connections opened before this point (if any) still carry the web bounds.
    from django.db import connections

    connections.close_all()


@worker_process_init.connect
def mark_pool_process(**kwargs) -> None:
    db.IN_WORKER = True


def broker_persistence_problem(client) -> str | None:
    """Why a Redis broker may lose queued messages on restart, or None if it keeps an AOF.

    `client` is a redis-py client. Raises whatever CONFIG GET raises (some managed
    Redis services refuse it); the caller decides what to do then.
    """
    appendonly = client.config_get("appendonly").get("appendonly", "no")
    if appendonly == "yes":
        return None
    save = client.config_get("save").get("save", "")
    if save:
        return (
            f"the Redis broker keeps RDB snapshots only (save {save!r}, appendonly no): "
            "a restart loses the messages queued since the last snapshot"
        )
    return 'the Redis broker has no persistence (appendonly no, save ""): a restart loses every queued task'


@worker_ready.connect
def warn_without_broker_persistence(sender=None, **kwargs) -> None:
    app = getattr(sender, "app", None)
    if app is None or not str(app.conf.broker_url or "").startswith(("redis://", "rediss://")):
        return
    try:
        with app.connection_for_write() as conn:
            problem = broker_persistence_problem(conn.default_channel.client)
    except Exception as exc:  # CONFIG disabled, broker away: say so, never stop the worker
        logger.info("Could not read the broker's persistence settings: %s", exc)
        return
    if problem:
        logger.warning("WARNING: %s. Start Redis with --appendonly yes (see README, Deployment).", problem)
