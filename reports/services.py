"""Creating report requests (UI, API and schedule share this) and building their files."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import resource
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.replica import read_alias, use_replica
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
        send_after_commit(report)
    return report


def send_after_commit(report: ReportRequest) -> None:
    """Send the build message once the row is committed (the worker never looks for a
    row that is not there yet); `report.sent` then says whether the broker took it
    (None while the caller's outer transaction is still open)."""
    report.sent = None

    def send() -> None:
        report.sent = send_build(report.pk)

    transaction.on_commit(send)


# A broker that is down must not hold the request: one quick retry, then the sweep's turn.
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def send_build(report_id: int) -> bool:
    """Hand the build of a queued report to the broker; False (logged) if it is unreachable.

    Never raises for a broker failure: the row is committed and stays "queued", and
    `sweep_pending` sends it again within a minute or two. Each message carries its
    own task id, recorded on the row, so the worker can tell a redelivery of the
    running build's message from a duplicate (reports.tasks._claim).
    """
    from celery import current_app

    from .tasks import build_report

    task_id = uuid.uuid4().hex
    if current_app.conf.task_always_eager:
        build_report.apply_async((report_id,), task_id=task_id)
        return True
    try:
        build_report.apply_async((report_id,), task_id=task_id, retry=True, retry_policy=SEND_RETRY_POLICY)
    except Exception as exc:  # kombu.exceptions.OperationalError, redis/socket errors: all "broker away"
        logger.warning("Report %s: the broker is unreachable (%s); it stays queued for the sweep", report_id, exc)
        return False
    # Only while still queued: a worker may already have claimed it under this very id.
    ReportRequest.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        sent_at=timezone.now(), sends=F("sends") + 1, task_id=task_id
    )
    return True


def run_again(user, report: ReportRequest) -> ReportRequest:
    """Queue a failed report again for its requester (the "Run again" button and API action)."""
    if report.requested_by_id != user.pk:
        raise PermissionDenied(_("Only the person who requested a report may run it again."))
    with transaction.atomic():
        updated = ReportRequest.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.QUEUED,
            progress=0,
            error="",
            restarts=0,
            heartbeat_at=None,
            sent_at=None,
            finished_at=None,
            expires_at=None,
        )
        if not updated:
            raise ValidationError(_("Only a failed report can be run again."))
        report.refresh_from_db()
        send_after_commit(report)
    return report


def requeue_delay(report: ReportRequest) -> dt.timedelta:
    """How long a queued report waits for its message before it is sent again.

    The grace period after the first send, doubling with each re-send (up to 32
    times): a report legitimately waiting behind a long queue gets few duplicate
    messages (each one harmless: the claim skips a report already taken).
    """
    grace = dt.timedelta(seconds=settings.REPORTS_REQUEUE_AFTER_SECONDS)
    return grace * 2 ** min(max(report.sends - 1, 0), 5)


def sweep_pending(now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute: nothing lost between the database and the broker, nothing frozen.

    * queued rows whose message is older than the grace period (or was never sent,
      the broker being down) are sent again;
    * running rows whose heartbeat is older than REPORTS_HEARTBEAT_STALE_SECONDS lost
      their worker: queued again and sent (the user sees "restarted after a worker
      failure"), or failed after REPORTS_MAX_RESTARTS restarts with a reason and a
      "Run again" button.
    """
    now = now or timezone.now()
    counts = {"resent": 0, "restarted": 0, "failed": 0}
    stale_before = now - dt.timedelta(seconds=settings.REPORTS_HEARTBEAT_STALE_SECONDS)
    lost = ReportRequest.objects.filter(status=ReportStatus.RUNNING).filter(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, started_at__lt=stale_before)
    )
    for report in lost.only("pk", "restarts", "heartbeat_at", "task_id"):
        # Conditional on what we read: a heartbeat that arrives meanwhile wins.
        still_lost = ReportRequest.objects.filter(
            pk=report.pk, status=ReportStatus.RUNNING, heartbeat_at=report.heartbeat_at, task_id=report.task_id
        )
        if report.restarts >= settings.REPORTS_MAX_RESTARTS:
            if still_lost.update(
                status=ReportStatus.FAILED,
                error=_("The report was interrupted by worker failures %(count)d times. Run it again.")
                % {"count": report.restarts + 1},
                finished_at=now,
                expires_at=retention_deadline(now),
            ):
                counts["failed"] += 1
                logger.warning("Report %s: failed after %s restarts", report.pk, report.restarts)
        elif still_lost.update(status=ReportStatus.QUEUED, restarts=F("restarts") + 1, heartbeat_at=None, sent_at=None):
            counts["restarted"] += 1
            logger.warning("Report %s: no heartbeat since %s; worker lost, sent again", report.pk, report.heartbeat_at)
            send_build(report.pk)
    for report in ReportRequest.objects.filter(status=ReportStatus.QUEUED).only("pk", "sends", "sent_at", "created_at"):
        if now - (report.sent_at or report.created_at) >= requeue_delay(report) and send_build(report.pk):
            counts["resent"] += 1
    return counts


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
    """This process's own peak resident memory in MB: VmHWM where Linux gives it.

    getrusage's ru_maxrss is not this process's own figure after an exec or a fork:
    Linux keeps the larger of its peak and the parent's, so a worker child or a build
    started right after a big seeding reported the parent's memory as its own
    (158 MB where the build itself peaked lower; docs/performance.md, report files).
    """
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


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
        handling_code=kind.handling(user, params),
        totalled_columns=kind.totalled_columns,
        weight_columns=kind.weight_columns,
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
