"""The build task's guarantees (idempotent, retries, failures) and retention of files."""

import datetime as dt
import itertools
from pathlib import Path

import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from reports import tasks
from reports.models import ReportRequest
from reports.services import partial_path, purge_expired
from tests.reports.conftest import PERIOD, read_csv

pytestmark = pytest.mark.django_db


def files_under(root) -> list[str]:
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_the_task_is_declared_for_crash_safety():
    task = tasks.build_report
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.soft_time_limit and task.time_limit and task.soft_time_limit < task.time_limit
    assert OperationalError in task.autoretry_for
    assert task.retry_backoff


def test_a_rerun_of_a_succeeded_report_does_nothing(build, officer_kz, seizures):
    report = build(officer_kz)
    before = (report.file.name, report.finished_at, report.attempts)
    result = tasks.build_report.apply(args=[report.pk]).get()
    assert result["skipped"] is True
    report.refresh_from_db()
    assert (report.file.name, report.finished_at, report.attempts) == before


def test_a_rerun_after_a_crash_rewrites_the_same_file_and_row(build, officer_kz, seizures):
    report = build(officer_kz)
    first_rows = read_csv(report)
    # What a killed run leaves behind: status running, a half-written partial file,
    # and (if it died while storing) an old copy at the final name.
    ReportRequest.objects.filter(pk=report.pk).update(status="running", progress=40)
    partial_path(report).write_text("half a report")
    # The broker redelivers the killed run's own message (same task id); another
    # message would be a duplicate and dropped while the heartbeat is fresh.
    tasks.build_report.apply(args=[report.pk], task_id=report.task_id).get()
    report.refresh_from_db()
    assert report.status == "succeeded" and report.attempts == 2
    assert ReportRequest.objects.count() == 1
    assert files_under(settings.PRIVATE_ROOT) == [report.file.name]
    assert read_csv(report) == first_rows


def test_progress_is_saved_at_least_every_five_percent(officer_kz, kz, monkeypatch, django_capture_on_commit_callbacks):
    from reports.services import request_report
    from tests.reports.conftest import at, make_seizure

    for n in range(10):
        make_seizure(officer_kz, kz, items=[("opium", "1", "kg")] * 10, occurred_at=at(2026, 2, 1 + n))
    seen = []
    original = ReportRequest.objects.filter

    def spy(*args, **kwargs):
        qs = original(*args, **kwargs)
        update = qs.update

        def recording_update(**fields):
            if "progress" in fields:
                seen.append(fields["progress"])
            return update(**fields)

        qs.update = recording_update
        return qs

    monkeypatch.setattr(ReportRequest.objects, "filter", spy)
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(officer_kz, "seizure_register", PERIOD, "csv")
    report.refresh_from_db()
    assert report.row_count == 100 and report.progress == 100
    steps = [0, *seen, 100]
    assert max(b - a for a, b in itertools.pairwise(steps)) <= 5
    assert seen == sorted(seen)


def test_a_transient_database_error_is_retried_then_recorded(officer_kz, seizures, monkeypatch, build):
    from reports import services

    report = build(officer_kz)
    ReportRequest.objects.filter(pk=report.pk).update(status="queued")
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "build_file", flaky)
    # An early attempt: Celery schedules a retry (with backoff) and the row waits, queued.
    with pytest.raises(Retry):
        tasks.build_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert report.status == "queued" and not report.error
    # The last allowed attempt: Celery gives up and the row says why.
    with pytest.raises(OperationalError):
        tasks.build_report.apply(args=[report.pk], retries=tasks.MAX_RETRIES).get()
    report.refresh_from_db()
    assert report.status == "failed"
    assert "database" in report.error
    assert len(calls) == 2


def test_an_unexpected_error_fails_the_report_with_a_reason(officer_kz, seizures, monkeypatch, build):
    from reports import services

    report = build(officer_kz)
    ReportRequest.objects.filter(pk=report.pk).update(status="queued")
    monkeypatch.setattr(services, "build_file", lambda *a, **k: 1 / 0)
    tasks.build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error == "The report could not be built. The error has been logged."


def test_files_expire_after_the_retention_period_and_the_row_stays(build, officer_kz, seizures, settings):
    settings.REPORT_RETENTION_DAYS = 7
    report = build(officer_kz)
    assert report.expires_at - report.finished_at == dt.timedelta(days=7)
    name = report.file.name
    assert purge_expired() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert tasks.purge_expired_reports.apply().get() == {"expired": 1, "stale_failed": 0}
    report.refresh_from_db()
    assert report.status == "expired" and not report.file
    assert name not in files_under(settings.PRIVATE_ROOT)
    assert ReportRequest.objects.filter(pk=report.pk).exists()


def test_a_build_stuck_in_running_past_the_time_limit_is_marked_failed(build, officer_kz, seizures):
    report = build(officer_kz)
    long_ago = timezone.now() - dt.timedelta(days=1)
    ReportRequest.objects.filter(pk=report.pk).update(status="running", started_at=long_ago)
    assert tasks.purge_expired_reports.apply().get()["stale_failed"] == 1
    report.refresh_from_db()
    assert report.status == "failed"


def test_a_register_logs_the_export_of_each_listed_record_once(build, officer_kz, seizures):
    from intel.models import AccessLog

    report = build(officer_kz, "seizure_register", PERIOD, "csv")
    logged = set(AccessLog.objects.filter(action="export", user=officer_kz).values_list("record_id", flat=True))
    expected = {seizures[k].pk for k in ("kz_own", "kz_shared_uz", "uz_shared_kz")}
    assert logged == expected
    assert all(e.detail == f"report #{report.pk}" for e in AccessLog.objects.filter(action="export"))
    assert AccessLog.objects.filter(action="export").count() == len(expected)
    # Crashes and re-runs: tests/reports/test_export_audit.py.


def test_history_keeps_status_changes_not_progress_ticks(build, officer_kz, seizures):
    report = build(officer_kz)
    statuses = list(report.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["queued", "running", "succeeded"]


def test_a_build_past_the_soft_time_limit_fails_with_a_reason_and_leaves_no_file(
    build, officer_kz, seizures, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    from reports import kinds

    report = build(officer_kz)
    ReportRequest.objects.filter(pk=report.pk).update(status="queued", file="")

    def too_slow(self, user, params):
        yield ["KZ", "Kazakhstan", "2026-01", "Heroin", 1, 1, 1]
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(kinds.SeizureStatistics, "rows", too_slow)
    tasks.build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == "failed"
    assert "time limit" in report.error
    assert not partial_path(report).exists()
