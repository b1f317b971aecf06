"""Send the heavy reads (report building, dashboards) to a streaming replica.

Reads go to the replica only inside a `use_replica()` block (or a view or task
decorated with it), and only when `DATABASES["replica"]` exists and is no more than
`REPLICA_MAX_LAG_SECONDS` behind the primary; otherwise they stay on the primary.
The choice is made once when the block is entered, so one report never mixes two
snapshots. Writes always go to the primary; migrations never run on the replica.

    with use_replica("report 42"):
        rows = list(Record.objects.visible_to(user))
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# The alias reads use in the current context (None: Django's default routing).
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_read_alias", default=None)
# Per process: (checked at, lag in seconds or None if unreachable).
_lag_cache: dict[str, tuple[float, float | None]] = {}
_lag_lock = threading.Lock()

# Seconds the replica is behind: 0 when it has replayed all it received (an idle
# primary must not look like lag), otherwise the age of the last replayed commit.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag(force: bool = False) -> float | None:
    """The replica's lag in seconds (cached a few seconds), or None when unreachable."""
    now = time.monotonic()
    with _lag_lock:
        cached = _lag_cache.get(REPLICA)
        if not force and cached and now - cached[0] < settings.REPLICA_LAG_CHECK_SECONDS:
            return cached[1]
    lag: float | None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("Replica unreachable (%s); reading from the primary", exc.__class__.__name__)
        connections[REPLICA].close()
        lag = None
    with _lag_lock:
        _lag_cache[REPLICA] = (time.monotonic(), lag)
    return lag


def choose_read_alias() -> str:
    """The replica if it is configured, reachable and fresh enough, else the primary."""
    if not replica_configured():
        return DEFAULT_DB_ALIAS
    lag = replica_lag()
    if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
        if lag is not None:
            bound = settings.REPLICA_MAX_LAG_SECONDS
            logger.warning("Replica %.1f s behind (bound %s s); reading from the primary", lag, bound)
        return DEFAULT_DB_ALIAS
    return REPLICA


def read_alias() -> str:
    """The alias that reads use right now (for raw SQL and connection settings)."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


@contextlib.contextmanager
def use_replica(label: str = "") -> Iterator[str]:
    """Route reads in this block to the replica when it is fit; yields the alias chosen.

    Logs the choice (logger `core.replica`), so an operator or a test can
    tell which database a report or dashboard read.
    """
    outer = _read_alias.get()
    if outer is not None:  # nested: keep the outer block's choice
        yield outer
        return
    alias = choose_read_alias()
    logger.info("Heavy reads%s from database %r", f" of {label}" if label else "", alias)
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


def replica_reads(func):
    """Decorator form of `use_replica()`, for views and tasks."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with use_replica(func.__qualname__):
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Reads: the alias chosen by the enclosing `use_replica()`; writes: the primary."""

    def db_for_read(self, model, **hints):
        return _read_alias.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: objects read from either may relate.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
