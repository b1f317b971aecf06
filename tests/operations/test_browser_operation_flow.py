"""In a real browser: Kazakhstan proposes a controlled delivery with Uzbekistan,
Uzbekistan consents, the coordinator approves, and the timeline shows all three."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from operations.models import JointOperation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_user(page, browser_login, user):
    page.context.clear_cookies()
    browser_login(page, user)


def test_propose_consent_approve(page, browser_login, officer_kz, officer_uz, coordinator):
    start = timezone.localdate() + timedelta(days=7)

    # Kazakhstan drafts the controlled delivery and proposes it.
    browser_login(page, officer_kz)
    page.goto("/operations/")
    page.get_by_test_id("new-operation").click()
    page.fill("#id_code_name", "Silk Thread")
    page.select_option("#id_operation_type", "controlled_delivery")
    page.fill("#id_objective", "Let the consignment run from Tashkent to Almaty and arrest the receivers.")
    page.fill("#id_planned_start", start.isoformat())
    page.fill("#id_planned_end", (start + timedelta(days=14)).isoformat())
    page.locator("#id_participants").get_by_label("Uzbekistan").check()
    page.click("button[type=submit]:has-text('Save')")
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    page.get_by_test_id("action-propose").locator("button").click()
    expect(page.get_by_test_id("status")).to_have_text("Proposed")
    operation_url = page.url
    op = JointOperation.objects.get(code_name="Silk Thread")
    assert operation_url.endswith(op.get_absolute_url())

    # Uzbekistan consents for itself.
    _switch_user(page, browser_login, officer_uz)
    page.goto(operation_url)
    consent = page.get_by_test_id("consent-form")
    consent.locator("select[name=decision]").select_option("granted")
    consent.locator("input[name=national_case_reference]").fill("UZ-CD-2026-014")
    consent.locator("button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Awaiting approval")
    expect(page.get_by_test_id("participant-UZ")).to_contain_text("Granted")
    expect(page.get_by_test_id("action-approve")).to_have_count(0)

    # The coordinator approves.
    _switch_user(page, browser_login, coordinator)
    page.goto(operation_url)
    page.get_by_test_id("action-approve").locator("button").click()
    expect(page.get_by_test_id("status")).to_have_text("Approved")

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Draft → Proposed")
    expect(timeline).to_contain_text(re.compile(r"Uzbekistan: consent Granted"))
    expect(timeline).to_contain_text("Awaiting approval → Approved")
    expect(timeline.locator("li")).to_have_count(5)  # proposed, KZ and UZ consents, all consented, approved

    # The operation now stands on the timeline of planned and running operations.
    page.goto("/operations/timeline/")
    expect(page.get_by_test_id("gantt")).to_contain_text("Silk Thread")


def test_dashboard_chart_is_drawn_from_local_assets(page, browser_login, live_server, operation, coordinator, kz):
    from decimal import Decimal

    from operations.models import ResultSeizure

    ResultSeizure.objects.create(
        operation=operation,
        state=kz,
        seized_on=timezone.localdate(),
        substance="heroin",
        quantity=Decimal("12.5"),
        unit="kg",
        created_by=coordinator,
    )
    errors, outside = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: None if req.url.startswith(live_server.url) else outside.append(req.url))
    browser_login(page, coordinator)
    page.goto("/operations/dashboard/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('seizure-chart'))")
    values = page.evaluate("() => Chart.getChart(document.getElementById('seizure-chart')).data.datasets[0].data")
    assert values == [12.5]
    assert errors == []
    assert outside == []
