"""Celery tasks of the reports app: build a report, purge expired files, monthly schedules.

`build_report` is safe to run twice and safe to kill:

* acks_late + reject_on_worker_lost: the message is acknowledged only when the
  task returns, so a worker that dies (SIGKILL, OOM, power) leaves it in the
  broker and another worker runs it again;
* idempotent: the report row is claimed under a row lock, a report already
  finished is left alone, and the file always goes to the same storage name
  (and the same partial path while being written), so a re-run replaces what a
  killed run left rather than adding to it: one row, one file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import ReportStatus
from .models import ReportRequest

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = getattr(settings, "REPORTS_SOFT_TIME_LIMIT", settings.CELERY_TASK_SOFT_TIME_LIMIT)
TIME_LIMIT = getattr(settings, "REPORTS_TIME_LIMIT", settings.CELERY_TASK_TIME_LIMIT)
MAX_RETRIES = 5


def _claim(request_id: int, task_id: str) -> ReportRequest | None:
    """Mark the report running (under a row lock); None if there is nothing to do.

    A running report is taken over only by a redelivery of its own message (same
    task id: the worker that held it died) or when its heartbeat is stale (the
    worker was lost); any other message for it is a duplicate (a re-send by the
    sweep) and is dropped, so no report is built twice at once. Finished and
    failed reports are left alone ("Run again" queues a failed one explicitly).
    """
    now = timezone.now()
    with transaction.atomic():
        report = ReportRequest.objects.select_for_update().filter(pk=request_id).first()
        if report is None or report.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            return None
        fields = ["status", "progress", "error", "started_at", "finished_at", "attempts", "task_id", "heartbeat_at"]
        if report.status == ReportStatus.RUNNING:
            last_sign = report.heartbeat_at or report.started_at or now
            stale = now - last_sign > dt.timedelta(seconds=settings.REPORTS_HEARTBEAT_STALE_SECONDS)
            if task_id != report.task_id and not stale:
                logger.info("Report %s: already being built by task %s; duplicate dropped", request_id, report.task_id)
                return None
            # Its worker died (a redelivered message) or was lost (no heartbeat).
            report.restarts += 1
            fields.append("restarts")
            if report.restarts > settings.REPORTS_MAX_RESTARTS:
                error = _("The report was interrupted by worker failures %(count)d times. Run it again.") % {
                    "count": report.restarts
                }
                _finish(report, ReportStatus.FAILED, error=error, restarts=report.restarts)
                return None
        report.status = ReportStatus.RUNNING
        report.progress = 0
        report.error = ""
        report.started_at = report.heartbeat_at = now
        report.finished_at = None
        report.attempts += 1
        report.task_id = task_id or ""
        report.save(update_fields=fields)
    return ReportRequest.objects.select_related("requested_by", "owner_state").get(pk=request_id)


def _lock_unfinished(report: ReportRequest) -> bool:
    """Lock the report's row for completion; False if another run of it has already succeeded.

    A second delivery of the message may build the same report at the same time:
    the row lock makes the second finisher wait and then leave the first's file
    and audit alone, so every record is logged once per report.
    """
    status = ReportRequest.objects.select_for_update().filter(pk=report.pk).values_list("status", flat=True).first()
    return status not in (None, ReportStatus.SUCCEEDED, ReportStatus.EXPIRED)


def _finish(report: ReportRequest, status: str, **fields) -> None:
    from .services import retention_deadline

    now = timezone.now()
    report.status = status
    report.finished_at = now
    report.expires_at = retention_deadline(now)
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=["status", "finished_at", "expires_at", *fields])


class Heartbeat:
    """Beat the running report's `heartbeat_at` every REPORTS_HEARTBEAT_SECONDS from a
    thread, so even one long query shows the worker is alive; the sweep restarts a
    report whose heartbeat stops (its worker was killed or lost). Progress ticks beat
    too. The thread has its own database connection and closes it."""

    def __init__(self, report_id: int, task_id: str) -> None:
        self.mine = ReportRequest.objects.filter(pk=report_id, status=ReportStatus.RUNNING, task_id=task_id)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"report-{report_id}-heartbeat", daemon=True)

    def beat(self, **fields) -> None:
        self.mine.update(heartbeat_at=timezone.now(), **fields)

    def _run(self) -> None:
        try:
            while not self.stop.wait(settings.REPORTS_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except (OperationalError, InterfaceError):
                    connection.close()  # this thread's connection; the next beat reconnects
        finally:
            connection.close()

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def build_report(self, request_id: int) -> dict:
    """Build the file of one ReportRequest from what its requester may see."""
    from .services import audit_export, build_file, peak_rss_mb, store_file

    report = _claim(request_id, self.request.id)
    if report is None:
        return {"id": request_id, "skipped": True}
    heartbeat = Heartbeat(report.pk, report.task_id)

    def on_progress(percent: int) -> None:
        # update(), not save(): no history row per tick, and nothing else overwritten.
        heartbeat.beat(progress=percent)

    # No beating thread when eager (tests, the embedded default): no worker to lose.
    beating = contextlib.nullcontext() if self.request.is_eager else heartbeat
    try:
        with beating, translation.override(report.language or settings.LANGUAGE_CODE):
            result = build_file(report, on_progress)
            # The export's audit (e.g. intel's access log of the register) and the
            # file's completion commit together: a build that crashes before the
            # COMMIT leaves no audit row, and its re-run logs every record once.
            with transaction.atomic():
                if not _lock_unfinished(report):
                    result["path"].unlink(missing_ok=True)
                    return {"id": request_id, "skipped": True}
                report.file.name = store_file(report, result["path"])
                audit_export(report)
                _finish(
                    report,
                    ReportStatus.SUCCEEDED,
                    progress=100,
                    row_count=result["rows"],
                    tlp=result["tlp"],
                    classification=result["classification"],
                    file=report.file,
                )
    except SoftTimeLimitExceeded:
        _finish(report, ReportStatus.FAILED, error=_("The report took longer than the time limit; narrow the period."))
        return {"id": request_id, "status": ReportStatus.FAILED}
    except (OperationalError, InterfaceError) as exc:
        # A transient database failure: drop the connection if it is broken and
        # let Celery retry with backoff; after the last retry, say so on the row.
        if not connection.is_usable():
            connection.close()
        if self.request.retries >= MAX_RETRIES:
            try:
                _finish(report, ReportStatus.FAILED, error=_("The database was unavailable; please try again."))
            except (OperationalError, InterfaceError):
                logger.exception("Report %s: could not record the failure", request_id)
        else:
            # If the database is still away, the retry claims the row anyway.
            with contextlib.suppress(OperationalError, InterfaceError):
                ReportRequest.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED)
        logger.warning("Report %s: transient database error (%s), retrying", request_id, exc)
        raise
    except Exception:
        logger.exception("Report %s failed", request_id)
        _finish(report, ReportStatus.FAILED, error=_("The report could not be built. The error has been logged."))
        return {"id": request_id, "status": ReportStatus.FAILED}
    figures = {
        "id": request_id,
        "status": ReportStatus.SUCCEEDED,
        "rows": result["rows"],
        "seconds": round(result["seconds"], 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    logger.info("Report %(id)s built: %(rows)s rows in %(seconds)s s, peak RSS %(peak_rss_mb)s MB", figures)
    return figures


@shared_task(acks_late=True)
def sweep_reports() -> dict:
    """Every minute (beat): re-send reports left queued, restart those whose worker was lost."""
    from .services import sweep_pending

    return sweep_pending()


@shared_task(acks_late=True)
def purge_expired_reports() -> dict:
    """Daily: delete expired report files, mark their rows expired, fail stuck builds."""
    from .services import fail_stale_runs, purge_expired

    return {"expired": purge_expired(), "stale_failed": fail_stale_runs()}


@shared_task(acks_late=True)
def build_monthly_state_report(state_code: str) -> int | None:
    """Monthly (django-celery-beat): the previous month's seizure statistics of one state."""
    from members.models import State

    from .services import request_monthly_state_report

    state = State.objects.filter(code=state_code, status=State.Status.MEMBER).first()
    if state is None:
        return None
    return request_monthly_state_report(state).pk


@shared_task(acks_late=True)
def schedule_monthly_reports() -> int:
    """Keep one monthly PeriodicTask per member state (new members get one, former lose theirs)."""
    from .scheduling import sync_monthly_schedules

    return sync_monthly_schedules()
