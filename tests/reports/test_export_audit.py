"""The seizure register's export audit commits with the report's completion, or not at all.

Real transactions (transactional_db): what a crashed build leaves is what a
worker would leave in the database.
"""

from __future__ import annotations

import pytest

from intel.models import AccessLog
from reports import tasks
from reports.kinds import intel as intel_kinds
from reports.models import ReportRequest
from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def expected(seizures):
    """The records officer_kz's register lists."""
    return sorted(seizures[k].pk for k in ("kz_own", "kz_shared_uz", "uz_shared_kz"))


def exported() -> list[int]:
    return sorted(AccessLog.objects.filter(action="export").values_list("record_id", flat=True))


def rerun(report) -> ReportRequest:
    """Queue the report again (what "Run again" does to a failed one) and run its task."""
    ReportRequest.objects.filter(pk=report.pk).update(status="queued")
    tasks.build_report.apply(args=[report.pk])
    report.refresh_from_db()
    return report


def test_a_build_that_crashes_in_the_middle_of_its_audit_leaves_no_entry_and_the_rerun_logs_each_record_once(
    build, officer_kz, expected, monkeypatch
):
    real_log_export = intel_kinds.log_export
    calls = []

    def crash_on_the_second_batch(user, batch, **kwargs):
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("worker lost its database half-way through the audit")
        return real_log_export(user, batch, **kwargs)

    # One record per batch, so the first batch is written before the crash.
    monkeypatch.setattr(intel_kinds, "ITERATOR_CHUNK", 1)
    monkeypatch.setattr(intel_kinds, "log_export", crash_on_the_second_batch)
    report = build(officer_kz, "seizure_register", PERIOD, "xlsx")
    assert len(calls) == 2  # the crash did happen after a batch was written
    assert report.status == "failed" and not report.file
    assert exported() == []

    monkeypatch.setattr(intel_kinds, "log_export", real_log_export)
    report = rerun(report)
    assert report.status == "succeeded" and report.file
    assert exported() == expected
    assert set(AccessLog.objects.filter(action="export").values_list("detail", flat=True)) == {f"report #{report.pk}"}


def test_a_build_that_crashes_when_marking_itself_done_leaves_no_entry(build, officer_kz, expected, monkeypatch):
    real_finish = tasks._finish

    def refuse_success(report, status, **fields):
        if status == "succeeded":
            raise RuntimeError("crash after the audit, before the report is marked done")
        return real_finish(report, status, **fields)

    monkeypatch.setattr(tasks, "_finish", refuse_success)
    report = build(officer_kz, "seizure_register", PERIOD, "csv")
    assert report.status == "failed"
    assert exported() == []

    monkeypatch.setattr(tasks, "_finish", real_finish)
    report = rerun(report)
    assert report.status == "succeeded"
    assert exported() == expected


def test_a_second_delivery_of_a_finished_report_logs_nothing_more(build, officer_kz, expected):
    report = build(officer_kz, "seizure_register", PERIOD, "csv")
    assert exported() == expected
    tasks.build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == "succeeded"
    assert exported() == expected
