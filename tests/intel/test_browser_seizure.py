"""In a real browser: Kazakhstan files a seizure report for Uzbekistan; Kyrgyzstan gets 404."""

import pytest

from intel.models import IntelRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_kz_files_a_seizure_report_that_reaches_only_uzbekistan(
    page, browser_login, officer_kz, officer_uz, officer_kg
):
    browser_login(page, officer_kz)
    page.goto("/intel/seizures/new/")
    page.fill("#id_title", "Heroin in a lorry at Zhibek Zholy")
    page.select_option("#id_tlp", "AMBER")
    page.select_option("#id_handling_code", "H0")
    page.select_option("#id_classification", "restricted")
    page.select_option("#id_source_reliability", "B")
    page.select_option("#id_information_credibility", "2")
    page.get_by_label("Uzbekistan").check()
    page.fill("#id_seizure-occurred_at", "2026-11-20T10:30")
    # The country starts at the officer's own state; the route is picked by name.
    assert page.input_value("#id_seizure-country") == "KZ"
    page.select_option("#id_seizure-route_origin", label="Afghanistan")
    page.fill("#id_seizure-transit", "Tajikistan, uz")
    page.fill("#id_seizure-place", "Zhibek Zholy")
    page.select_option("#id_seizure-place_type", "border")
    page.select_option("#id_items-0-substance", "heroin")
    page.select_option("#id_items-0-form", "powder")
    page.fill("#id_items-0-quantity", "148.2")
    page.select_option("#id_items-0-unit", "kg")
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
