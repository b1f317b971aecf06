"""Creating report requests (UI, API and schedule share this) and building their files."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caricc_portal.db_router import read_alias, use_replica
from core.storage import private_storage
from members.models import State

from .choices import ReportFormat, ReportKind, ReportStatus
from .kinds import get_kind
from .models import ReportRequest, report_file_name
from .writers import WRITERS, ReportMeta

logger = logging.getLogger(__name__)

# Progress is saved whenever it crosses a multiple of this (the issue asks for 5 % at least).
PROGRESS_STEP = 5


def request_report(
    user,
    kind: str,
    parameters: dict[str, Any],
    fmt: str,
    *,
    owner_state: State | None = None,
    schedule_key: str = "",
) -> ReportRequest:
    """Validate and store a request, then enqueue its build once the transaction commits.

    Raises ValidationError (field messages) for a bad kind, format or parameters,
    PermissionDenied when the user may not request this kind.
    """
    if kind not in ReportKind.values:
        raise ValidationError({"kind": [_("Unknown report kind.")]})
    if fmt not in ReportFormat.values:
        raise ValidationError({"format": [_("Unknown format.")]})
    report_kind = get_kind(kind)
    if owner_state is None and not report_kind.may_request(user):
        raise PermissionDenied(_("You may not request this kind of report."))
    clean = report_kind.clean_parameters(parameters or {})
    from .tasks import build_report

    with transaction.atomic():
        report = ReportRequest.objects.create(
            kind=kind,
            parameters=clean,
            format=fmt,
            language=(get_language() or settings.LANGUAGE_CODE)[:8],
            requested_by=user,
            owner_state=owner_state,
            schedule_key=schedule_key,
        )
        # Enqueued only after COMMIT: the worker never looks for a row that is not there yet.
        build_report.delay_on_commit(report.pk)
    return report


def state_principal(state: State):
    """The account a state's scheduled reports are built for.

    It belongs to the state and holds no role, so `visible_to` gives it exactly
    what the state's group was given: the report shows what the state may see,
    no more. It cannot sign in (unusable password, no token).
    """
    User = get_user_model()
    username = f"reports-{state.code.lower()}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name="Scheduled reports", last_name=state.code, state=state)
        user.set_unusable_password()
        user.save()
    elif user.state_id != state.pk:
        user.state = state
        user.save()
    return user


def month_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before `today`."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def request_monthly_state_report(state: State, today: dt.date | None = None) -> ReportRequest:
    """The previous month's seizure statistics for a state (idempotent per state and month)."""
    today = today or timezone.localdate()
    start, end = month_period(today)
    key = f"monthly-seizures:{state.code}:{start:%Y-%m}"
    existing = ReportRequest.objects.filter(schedule_key=key).first()
    if existing is not None:
        return existing
    with translation.override("en"):
        return request_report(
            state_principal(state),
            ReportKind.SEIZURE_STATISTICS,
            {"date_from": start.isoformat(), "date_to": end.isoformat(), "states": []},
            ReportFormat.XLSX,
            owner_state=state,
            schedule_key=key,
        )


# --- building --------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def partial_path(report: ReportRequest) -> Path:
    """Where the file is written before it is stored: a fixed path per report.

    Fixed, so a re-run after a killed worker overwrites the leftover instead of
    adding another file; inside PRIVATE_ROOT, so a leftover is never public.
    """
    folder = Path(settings.PRIVATE_ROOT) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"report-{report.pk}.part"


@contextlib.contextmanager
def planned_for_whole_results():
    """Let PostgreSQL plan the report's cursors for reading every row.

    `.iterator()` reads through a server-side cursor, and PostgreSQL plans a
    cursor for its first 10 % of rows (cursor_tuple_fraction = 0.1): nested
    loops that fetch 100,000 seizure rows in 23 s instead of 1 s (measured,
    see docs/performance.md, "Reports"). A report reads every row, so say so for
    the build and put the default back afterwards. Set on the connection the
    rows are read from (the replica inside `use_replica()`).
    """
    connection = connections[read_alias()]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def build_file(report: ReportRequest, on_progress: Callable[[int], None]) -> dict[str, Any]:
    """Write the report's file from what its requester may see; return the figures.

    `on_progress(percent)` is called each time progress crosses a multiple of
    PROGRESS_STEP.
    """
    with use_replica(f"report {report.pk}"), planned_for_whole_results():
        return _build_file(report, on_progress)


def _build_file(report: ReportRequest, on_progress: Callable[[int], None]) -> dict[str, Any]:
    kind = get_kind(report.kind)
    user = report.requested_by
    params = kind.params(report.parameters)
    started = time.monotonic()
    # The row count for the progress bar, and the rows: a kind computes them once.
    total, rows = kind.table(user, params)
    tlp, classification = kind.markings(user, params)
    meta = ReportMeta(
        title=kind.title(params),
        period=kind.period_text(params),
        generated_at=timezone.now(),
        requested_by=(str(report.owner_state) if report.scheduled else report.requested_by.get_username()),
        tlp=tlp,
        classification=classification,
        columns=kind.columns(),
        chart_title=str(kind.chart_title),
        reference=_("Report #%(id)d") % {"id": report.pk},
    )
    path = partial_path(report)
    writer = WRITERS[report.format](path, meta)
    step = max(1, math.ceil(total * PROGRESS_STEP / 100)) if total else 1
    try:
        for count, row in enumerate(rows, start=1):
            writer.write(row)
            point = kind.chart_point(row)
            if point is not None:
                meta.chart[point[0]] = meta.chart.get(point[0], 0.0) + point[1]
            if count % step == 0:
                on_progress(min(99, count * 100 // max(total, 1)))
        writer.close()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return {
        "path": path,
        "rows": writer.rows,
        "tlp": tlp,
        "classification": classification,
        "seconds": time.monotonic() - started,
    }


def audit_export(report: ReportRequest) -> None:
    """Write the kind's audit of this export (e.g. the access log of every record listed).

    Call it in the transaction that marks the report done (reports.tasks), so the
    audit exists exactly when the finished report does.
    """
    kind = get_kind(report.kind)
    kind.audit(report, report.requested_by, kind.params(report.parameters))


def store_file(report: ReportRequest, path: Path) -> str:
    """Move the finished file to its one storage name, replacing any earlier copy."""
    name = report_file_name(report)
    if private_storage().exists(name):
        private_storage().delete(name)
    with open(path, "rb") as fh:
        saved = private_storage().save(name, File(fh, name=Path(name).name))
    path.unlink(missing_ok=True)
    if saved != name:  # another writer raced us; never keep two copies
        private_storage().delete(saved)
        raise RuntimeError(f"Report file stored as {saved!r} instead of {name!r}")
    return name


def retention_deadline(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(days=settings.REPORT_RETENTION_DAYS)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the files of expired reports and mark their rows expired (rows stay)."""
    now = now or timezone.now()
    done = 0
    for report in ReportRequest.objects.expired_files(now).iterator():
        if report.file and private_storage().exists(report.file.name):
            private_storage().delete(report.file.name)
        report.file = ""
        report.status = ReportStatus.EXPIRED
        report.save(update_fields=["file", "status"])
        done += 1
    return done


def fail_stale_runs(now: dt.datetime | None = None) -> int:
    """Mark failed the reports stuck in "running" well past the hard time limit.

    A worker killed by the hard time limit acknowledges its message (Celery acks
    on timeout), so nothing would ever finish those rows.
    """
    from .tasks import TIME_LIMIT

    now = now or timezone.now()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    cutoff = now - dt.timedelta(seconds=TIME_LIMIT + visibility + 60)
    stale = ReportRequest.objects.filter(status=ReportStatus.RUNNING, started_at__lt=cutoff)
    count = 0
    for report in stale:
        report.status = ReportStatus.FAILED
        report.error = _("The build did not finish within the time limit.")
        report.finished_at = now
        report.expires_at = retention_deadline(now)
        report.save(update_fields=["status", "error", "finished_at", "expires_at"])
        count += 1
    return count
