"""A real browser: request a report, watch htmx turn a pending report into a download button."""

import pytest

from reports.models import ReportRequest
from tests.reports.conftest import at, make_seizure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_requests_a_report_and_the_list_updates_itself(page, browser_login, officer_kz, kz):
    make_seizure(officer_kz, kz, occurred_at=at(2026, 2, 3))
    browser_login(page, officer_kz)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto("/reports/")
    form = page.get_by_test_id("report-request-form")
    form.locator("#id_kind").select_option("seizure_statistics")
    form.locator("#id_format").select_option("pdf")
    form.locator("#id_date_from").fill("2026-01-01")
    form.locator("#id_date_to").fill("2026-03-31")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/reports/")
    # Tasks run eagerly in this test: the report is built by the time the page is back.
    first = ReportRequest.objects.get()
    assert first.status == "succeeded"
    download = page.get_by_test_id(f"download-{first.pk}")
    assert download.is_visible()

    # A report still queued (as when a worker is busy): the table polls every 2 s...
    pending = ReportRequest.objects.create(
        kind="seizure_statistics",
        parameters={"date_from": "2026-01-01", "date_to": "2026-03-31", "states": []},
        format="csv",
        requested_by=officer_kz,
    )
    page.reload()
    assert page.get_by_test_id("report-table").get_attribute("data-polling") == "true"
    assert page.get_by_test_id(f"download-{pending.pk}").count() == 0
    # ...and when the worker finishes it, the download button appears without a reload.
    from reports.tasks import build_report

    build_report.apply(args=[pending.pk])
    page.get_by_test_id(f"download-{pending.pk}").wait_for(timeout=10_000)
    assert page.get_by_test_id("report-table").get_attribute("data-polling") == "false"
    assert not [e for e in errors if "Content Security Policy" in e]
