"""With a real Celery worker on Redis and PostgreSQL: build, download, scope, crash recovery."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from reports.models import ReportRequest
from tests.reports.conftest import PERIOD, at, make_seizure

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout: float = 90, interval: float = 0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_request_goes_to_succeeded_and_downloads_for_its_requester_only(
    report_workers, api_for, officer_kz, officer_uz, seizures
):
    report_workers()
    api = api_for(officer_kz)
    response = api.post(
        "/api/v1/reports/", {"kind": "seizure_statistics", "format": "csv", "parameters": PERIOD}, format="json"
    )
    assert response.status_code == 202, response.content
    status_url = response.json()["status_url"]

    def finished():
        body = api.get(status_url).json()
        return body if body["status"] in ("succeeded", "failed") else None

    body = wait_for(finished)
    assert body["status"] == "succeeded", body["error"]
    assert body["progress"] == 100
    download = api.get(body["download_url"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Cannabis resin" in content
    assert "1000.000" not in content  # Uzbekistan's unshared seizure

    other = api_for(officer_uz)
    assert other.get(status_url).status_code == 404
    assert other.get(body["download_url"]).status_code == 404


def test_a_worker_killed_mid_report_leaves_it_to_the_next_worker_one_file_one_row(
    report_workers, officer_kz, kz, django_capture_on_commit_callbacks
):
    from reports.services import request_report

    for n in range(40):
        make_seizure(
            officer_kz,
            kz,
            items=[("heroin", f"{n + 1}.5", "kg")] * 10,
            occurred_at=at(2026, 2, 1 + n % 27),
            title=f"Seizure {n}",
        )
    slow = report_workers(chunk_delay=0.3)  # 20 progress steps x 0.3 s: about 6 s
    report = request_report(officer_kz, "seizure_register", PERIOD, "csv")
    assert ReportRequest.objects.count() == 1

    def midway():
        report.refresh_from_db()
        return report.status == "running" and report.progress >= 20

    wait_for(midway, timeout=90, interval=0.05)
    slow.kill()  # SIGKILL to the worker's process group: no clean-up, no ack
    report.refresh_from_db()
    assert report.status == "running"
    assert 20 <= report.progress < 100
    assert not report.file
    assert report.attempts == 1

    report_workers()  # a new worker: the unacknowledged message comes back to it
    wait_for(lambda: ReportRequest.objects.get(pk=report.pk).status in ("succeeded", "failed"), timeout=120)
    report.refresh_from_db()
    assert report.status == "succeeded", report.error
    assert report.attempts == 2
    assert ReportRequest.objects.count() == 1
    files = stored_files()
    assert [p.relative_to(settings.PRIVATE_ROOT).as_posix() for p in files] == [report.file.name]
    with report.file.open("rb") as fh:
        lines = fh.read().decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 400
    assert report.row_count == 400
