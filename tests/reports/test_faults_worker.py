"""Faults on the real stack (issue 11): a broker stopped and restarted, a worker SIGKILLed.

The broker here is a redis-server of the test's own, on a free port, so it can be
stopped without touching anyone else's queue. Sweeps are triggered by calling
`sweep_pending` in the test (beat would call the same every minute).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from reports.models import ReportRequest
from reports.services import sweep_pending
from tests.reports.conftest import PERIOD, at, make_seizure
from tests.reports.test_worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server with an append-only file in a temporary directory, stoppable at will."""

    def __init__(self, directory) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(
            lambda: (
                subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip()
                == b"PONG"
            ),
            timeout=20,
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: Redis flushes its AOF and exits
            self.proc.wait(timeout=20)


def use_broker(app, url: str) -> None:
    """Point this process's Celery app (and the workers it starts) at another broker."""
    # The write/read URLs win over broker_url once the app is configured.
    app.conf.update(broker_url=url, broker_write_url=url, broker_read_url=url)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_broker(tmp_path, settings, report_workers):
    from caricc_portal.celery import app

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis = OwnRedis(tmp_path)
    redis.start()
    previous = app.conf.broker_write_url or app.conf.broker_url
    settings.CELERY_BROKER_URL = redis.url
    use_broker(app, redis.url)
    yield redis
    redis.stop()
    use_broker(app, previous)


def test_reports_queued_before_and_during_a_broker_outage_all_reach_done_none_built_twice(
    own_broker, report_workers, api_for, client_for, officer_kz, seizures, settings
):
    api = api_for(officer_kz)
    body = {"kind": "seizure_statistics", "format": "csv", "parameters": PERIOD}
    before = [api.post("/api/v1/reports/", body, format="json") for _ in range(3)]
    assert [r.status_code for r in before] == [202] * 3
    assert all("detail" not in r.json() for r in before)

    own_broker.stop()
    during = [api.post("/api/v1/reports/", body, format="json") for _ in range(2)]
    assert [r.status_code for r in during] == [202] * 2, during[0].content
    assert all(r["Content-Type"].startswith("application/json") for r in during)
    assert "unavailable" in during[0].json()["detail"]
    page = client_for(officer_kz).post(
        "/reports/",
        {"kind": "seizure_statistics", "format": "csv", "date_from": "2026-01-01", "date_to": "2026-03-31"},
        follow=True,
    )
    assert page.status_code == 200
    assert "it starts when the task queue is back" in page.content.decode()
    assert ReportRequest.objects.filter(status="queued").count() == 6
    assert ReportRequest.objects.filter(sent_at__isnull=True).count() == 3

    own_broker.start()  # the three messages sent before the outage survive in the AOF
    report_workers(CELERY_BROKER_URL=own_broker.url)
    settings.REPORTS_REQUEUE_AFTER_SECONDS = 0  # the sweep re-sends every queued row, survivors included
    assert sweep_pending()["resent"] >= 3
    wait_for(lambda: not ReportRequest.objects.exclude(status="succeeded").exists(), timeout=120)
    reports = list(ReportRequest.objects.all())
    assert len(reports) == 6
    # Built once each: one claim per report, though up to two messages were sent for it.
    assert [r.attempts for r in reports] == [1] * 6
    assert all(r.restarts == 0 and r.file for r in reports)


def test_a_worker_killed_mid_report_is_restarted_by_the_sweep_and_done_within_three_minutes(
    report_workers, officer_kz, kz, settings, client_for
):
    from reports.services import request_report

    for n in range(40):
        make_seizure(officer_kz, kz, items=[("heroin", f"{n + 1}.5", "kg")] * 10, occurred_at=at(2026, 2, 1 + n % 27))
    # The broker would give the killed worker's message back only after an hour:
    # the heartbeat and the sweep are what brings the report back.
    slow = report_workers(chunk_delay=0.3, REPORTS_TEST_VISIBILITY_TIMEOUT="3600", REPORTS_HEARTBEAT_SECONDS="1")
    report = request_report(officer_kz, "seizure_register", PERIOD, "csv")

    def midway():
        report.refresh_from_db()
        return report.status == "running" and report.progress >= 20

    wait_for(midway, timeout=90, interval=0.05)
    slow.kill()
    report_workers(REPORTS_TEST_VISIBILITY_TIMEOUT="3600", REPORTS_HEARTBEAT_SECONDS="1")
    started = time.monotonic()
    settings.REPORTS_HEARTBEAT_STALE_SECONDS = 5
    # Not frozen for long: within a few sweeps the lost build is queued again.
    wait_for(lambda: sweep_pending()["restarted"] == 1, timeout=60, interval=1)
    detail = client_for(officer_kz).get(report.get_absolute_url()).content.decode()
    assert (
        "Restarted after a worker failure." in detail or ReportRequest.objects.get(pk=report.pk).status == "succeeded"
    )
    wait_for(lambda: ReportRequest.objects.get(pk=report.pk).status in ("succeeded", "failed"), timeout=170)
    assert time.monotonic() - started < 180
    report.refresh_from_db()
    assert report.status == "succeeded", report.error
    assert report.restarts == 1 and report.attempts == 2
    assert report.row_count == 400


def test_a_report_whose_workers_keep_dying_fails_with_a_reason_and_runs_again(api_for, officer_kz, seizures, settings):
    settings.REPORTS_MAX_RESTARTS = 3
    report = ReportRequest.objects.create(
        kind="seizure_statistics",
        parameters=PERIOD,
        format="csv",
        requested_by=officer_kz,
        status="running",
        restarts=3,
        task_id="lost",
        started_at=at(2026, 1, 1),
        heartbeat_at=at(2026, 1, 1),
    )
    assert sweep_pending()["failed"] == 1
    report.refresh_from_db()
    assert report.status == "failed" and "interrupted by worker failures 4 times" in report.error
    response = api_for(officer_kz).post(f"/api/v1/reports/{report.pk}/run-again/")
    assert response.status_code == 202
    report.refresh_from_db()
    assert report.status == "succeeded" and report.restarts == 0  # eager here: built at once
