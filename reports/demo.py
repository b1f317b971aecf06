"""Demo reports: finished reports for a few personas and the monthly state schedules.

Idempotent: a report with the same requester, kind, parameters and format is
not requested twice, and a monthly report exists once per state and month.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .choices import ReportStatus
from .models import ReportRequest
from .scheduling import sync_monthly_schedules
from .services import request_monthly_state_report, request_report


def _build_now(report: ReportRequest) -> None:
    """Build in this process, so the demo shows finished reports even without a worker."""
    from .tasks import build_report

    if report.status != ReportStatus.SUCCEEDED:
        build_report.apply(args=[report.pk])


def _ensure(user, kind: str, parameters: dict, fmt: str) -> ReportRequest:
    existing = ReportRequest.objects.filter(
        requested_by=user, kind=kind, format=fmt, parameters=parameters, owner_state__isnull=True
    ).first()
    report = existing or request_report(user, kind, parameters, fmt)
    _build_now(report)
    return report


def seed(context: dict) -> None:
    users, states = context["users"], context["states"]
    today = timezone.localdate()
    year_ago = (today - dt.timedelta(days=365)).replace(day=1)
    last_year = {"date_from": year_ago.isoformat(), "date_to": today.isoformat(), "states": []}
    this_year = {"date_from": f"{today.year}-01-01", "date_to": f"{today.year}-12-31", "states": []}

    wanted = [
        (users["officer-kz"], "seizure_statistics", last_year, "xlsx"),
        (users["officer-kz"], "seizure_statistics", {**last_year, "states": ["KZ", "UZ"]}, "pdf"),
        (users["officer-uz"], "seizure_register", last_year, "csv"),
        (users["coordinator"], "operations_summary", this_year, "pdf"),
        (users["coordinator"], "rfi_compliance", last_year, "xlsx"),
        (users["analyst"], "seizure_statistics", last_year, "pdf"),
        (users["donors"], "funding_status", this_year, "xlsx"),
    ]
    built = [_ensure(user, kind, params, fmt) for user, kind, params, fmt in wanted]

    sync_monthly_schedules()
    monthly = []
    for state in states.values():
        if state.status == "member":
            report = request_monthly_state_report(state, today=today)
            _build_now(report)
            monthly.append(report)
    out = context.get("stdout")
    if out is not None:
        out.write(f"reports: {len(built)} requested reports, {len(monthly)} monthly state reports")
