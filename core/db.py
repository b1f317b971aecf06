"""Database time bounds per kind of process, and how a bounded wait is reported.

Web requests run with DB_STATEMENT_TIMEOUT_MS / DB_LOCK_TIMEOUT_MS (the
connection OPTIONS in settings): a request whose client gave up cannot keep a
transaction open and write minutes later, and a writer stuck behind a lock is
told to come back (503 + Retry-After) instead of waiting without end. Celery
workers build reports for minutes, so their connections get the WORKER_* bounds;
management commands (migrate, benchmarks, imports) run without bounds.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import OperationalError

# Set by core.worker when this process is a Celery worker.
IN_WORKER = False

# SQLSTATEs of a bounded wait: 55P03 lock_not_available (lock_timeout),
# 57014 query_canceled (statement_timeout).
LOCK_NOT_AVAILABLE = "55P03"
QUERY_CANCELED = "57014"


def running_management_command() -> bool:
    """`manage.py <command>` other than the development server."""
    return sys.argv[0].endswith("manage.py") and len(sys.argv) > 1 and sys.argv[1] != "runserver"


def timeouts_for_this_process() -> tuple[int, int] | None:
    """(statement, lock) timeouts in ms for connections of this process; None keeps the web bounds."""
    if IN_WORKER:
        return settings.WORKER_STATEMENT_TIMEOUT_MS, settings.WORKER_LOCK_TIMEOUT_MS
    if running_management_command():
        return 0, 0
    return None


# Parallel workers per Gather in Celery workers: PostgreSQL's default. Web connections
# run without (settings: `-c max_parallel_workers_per_gather=0`, LIMIT 51 pages), report
# builders read whole tables, where a parallel scan can help.
WORKER_MAX_PARALLEL_WORKERS_PER_GATHER = 2


def set_connection_timeouts(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: replace the web bounds in workers and commands
    (and give workers parallel plans back)."""
    if connection.vendor != "postgresql":
        return
    bounds = timeouts_for_this_process()
    if bounds is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)",
            [f"{bounds[0]}ms", f"{bounds[1]}ms"],
        )
        if IN_WORKER:
            cursor.execute(
                "SELECT set_config('max_parallel_workers_per_gather', %s, false)",
                [str(WORKER_MAX_PARALLEL_WORKERS_PER_GATHER)],
            )


def is_bounded_wait(exc: BaseException) -> bool:
    """A lock or statement timeout (PostgreSQL), as opposed to a real database failure."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    # psycopg 3 names it sqlstate, psycopg2 pgcode.
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in (LOCK_NOT_AVAILABLE, QUERY_CANCELED)


def retry_after_seconds() -> int:
    """What a client is told to wait after a bounded wait: about one lock timeout, at least a second."""
    return max(1, round(settings.DB_LOCK_TIMEOUT_MS / 1000))
