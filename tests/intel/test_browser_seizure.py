"""In a real browser: Kazakhstan files a seizure report for Uzbekistan; Kyrgyzstan gets 404."""

import pytest

from intel.models import IntelRecord
from tests.browser_forms import fill_markings, fill_seizure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_kz_files_a_seizure_report_that_reaches_only_uzbekistan(
    page, browser_login, officer_kz, officer_uz, officer_kg
):
    browser_login(page, officer_kz)
    page.goto("/intel/seizures/new/")
    page.fill("#id_title", "Heroin in a lorry at Zhibek Zholy")
    fill_markings(page)
    page.get_by_label("Uzbekistan").check()
    # The country starts at the officer's own state; transit countries are typed by name or code.
    assert page.input_value("#id_seizure-country") == "KZ"
    fill_seizure(page, "2026-11-20T10:30", "Tajikistan, uz")
    page.click("button[type=submit]:has-text('Send seizure report')")
    page.wait_for_url("**/intel/records/*/")
    record = IntelRecord.objects.get()
    assert page.get_by_test_id("record-title").inner_text() == "Heroin in a lorry at Zhibek Zholy"
    assert "TLP:AMBER" in page.get_by_test_id("markings").inner_text()
    assert page.get_by_test_id("route").inner_text() == "Afghanistan → Tajikistan → Uzbekistan"

    page.context.clear_cookies()
    browser_login(page, officer_uz)
    page.goto("/intel/")
    row = page.get_by_test_id("record-row").filter(has_text=record.reference)
    assert row.count() == 1
    row.get_by_role("link", name=record.reference).click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert "148.200" in page.content()

    page.context.clear_cookies()
    browser_login(page, officer_kg)
    response = page.goto(record.get_absolute_url())
    assert response.status == 404
    page.goto("/intel/")
    assert page.get_by_test_id("record-row").count() == 0
