"""Reports fixtures: seizure records shared through the real permission core, and workers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from intel.models import IntelRecord, SeizureItem, SeizureReport
from tests.conftest import WorkerProcess

ALMATY = dt.timezone(dt.timedelta(hours=5))


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour), timezone.get_default_timezone())


def make_seizure(
    author,
    state,
    *,
    shared_with=(),
    occurred_at=None,
    items=(("heroin", "1.5", "kg"),),
    tlp="AMBER",
    classification="restricted",
    title="Seizure",
) -> IntelRecord:
    """A seizure record of `state`, shared with its originator and `shared_with`, with items."""
    record = IntelRecord.objects.create(
        kind="seizure",
        title=title,
        originating_state=state,
        author=author,
        tlp=tlp,
        handling_code="H0",
        classification=classification,
        source_reliability="B",
        information_credibility="2",
    )
    record.grant_originator()
    if shared_with:
        record.share_with(list(shared_with))
    seizure = SeizureReport.objects.create(
        record=record,
        occurred_at=occurred_at or at(2026, 3, 10),
        country=state.code,
        place="Border post",
        place_type="border",
    )
    for position, (substance, quantity, unit) in enumerate(items):
        SeizureItem.objects.create(
            seizure=seizure,
            position=position,
            substance=substance,
            form="powder",
            quantity=Decimal(quantity),
            unit=unit,
        )
    return record


@pytest.fixture
def seizures(officer_kz, officer_uz, officer_kg, kz, uz, kg):
    """A small world: what each state may see differs.

    - KZ's own seizures (visible to KZ), one shared with UZ too;
    - a UZ seizure shared with KZ (KZ counts it);
    - a UZ seizure shared ONLY with UZ (KZ must never count it);
    - a KG seizure shared with UZ only;
    - one KZ seizure outside the period.
    """
    return {
        "kz_own": make_seizure(
            officer_kz, kz, items=(("heroin", "2.5", "kg"), ("opium", "800", "g")), occurred_at=at(2026, 1, 15)
        ),
        "kz_shared_uz": make_seizure(
            officer_kz, kz, shared_with=[uz], items=(("heroin", "1", "kg"),), occurred_at=at(2026, 2, 1, 1)
        ),
        "uz_shared_kz": make_seizure(
            officer_uz,
            uz,
            shared_with=[kz],
            items=(("cannabis_resin", "12.250", "kg"), ("methamphetamine", "300", "tablets")),
            occurred_at=at(2026, 2, 20),
            tlp="GREEN",
        ),
        "uz_only": make_seizure(
            officer_uz,
            uz,
            items=(("heroin", "1000", "kg"),),
            occurred_at=at(2026, 2, 21),
            tlp="RED",
            classification="secret",
        ),
        "kg_shared_uz": make_seizure(
            officer_kg, kg, shared_with=[uz], items=(("opium", "40", "kg"),), occurred_at=at(2026, 3, 5)
        ),
        "kz_outside": make_seizure(officer_kz, kz, items=(("heroin", "99", "kg"),), occurred_at=at(2025, 12, 31, 23)),
    }


PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-31", "states": []}


@pytest.fixture
def report_workers(transactional_db, settings):
    """Start real workers on the test settings of tests/reports/worker_settings.py.

    `start(chunk_delay=0.0, **env)` starts one more worker (env: extra variables, e.g. its
    broker or heartbeat interval); every worker is stopped at the end.
    Same requirements as `celery_worker_process` (PostgreSQL and a Redis broker).
    """
    from caricc_portal.celery import app

    if not settings.CELERY_BROKER_URL or not settings.IS_POSTGRES:
        pytest.skip("needs PostgreSQL and a Redis broker (CELERY_BROKER_URL)")
    app.conf.task_always_eager = False
    app.control.purge()
    started: list[WorkerProcess] = []

    def start(chunk_delay: float = 0.0, **env: str) -> WorkerProcess:
        worker = WorkerProcess(
            env={
                "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
                "REPORTS_CHUNK_DELAY": str(chunk_delay),
                **env,
            }
        ).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    app.control.purge()
    app.conf.task_always_eager = True


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """`build(user, kind, parameters, fmt)`: request a report and run its task (eagerly) on commit."""
    from reports.models import ReportRequest
    from reports.services import request_report

    def _build(user, kind="seizure_statistics", parameters=None, fmt="csv") -> ReportRequest:
        with django_capture_on_commit_callbacks(execute=True):
            report = request_report(user, kind, dict(parameters or PERIOD), fmt)
        report.refresh_from_db()
        return report

    return _build


def read_csv(report) -> list[list[str]]:
    import csv
    import io

    with report.file.open("rb") as fh:
        text = fh.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(report, sheet: str = "Data") -> list[list[str]]:
    """The rows of a sheet as strings (None as "")."""
    import io

    from openpyxl import load_workbook

    with report.file.open("rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()), read_only=True)
    return [["" if v is None else str(v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
