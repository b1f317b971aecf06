"""In a real browser: a conference pledge, a payment in euros, and the year's gap shrinks by its USD value."""

from datetime import date
from decimal import Decimal

import pytest

from donors.models import BudgetLine, Payment, Pledge

from .conftest import DonorFactory, make_rate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def read_gap(page) -> Decimal:
    page.goto("/donors/funding/?year=2026")
    # Shown as money in the reader's locale: "900,000.00 USD".
    text = page.get_by_test_id("gap").inner_text().strip()
    assert text.endswith("USD"), text
    return Decimal(text.removesuffix("USD").strip().replace(",", "").replace("\xa0", ""))


def test_donor_relations_record_a_conference_pledge_and_a_euro_payment(
    page, browser_login, donor_relations, conference
):
    DonorFactory(name="Government of Germany")
    make_rate("EUR", date(2026, 4, 20), "1.0800")
    make_rate("EUR", date(2026, 6, 1), "1.1000")
    BudgetLine.objects.create(year=2026, category="equipment", description="Scanners", amount_usd=Decimal("900000"))

    browser_login(page, donor_relations)
    gap_before = read_gap(page)
    assert gap_before == Decimal("900000.00")

    # The pledge announced at the donor conference, with its schedule.
    page.goto(f"/donors/pledges/new/?event={conference.pk}")
    page.select_option("#id_donor", label="Government of Germany")
    page.fill("#id_announced_on", "2026-04-20")
    page.fill("#id_amount", "100000.00")
    page.fill("#id_currency", "EUR")
    page.select_option("#id_earmark", "equipment")
    page.fill("#id_instalments-0-due_on", "2026-09-30")
    page.fill("#id_instalments-0-amount", "100000.00")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url("**/donors/pledges/*/")
    assert "Announced" in page.get_by_test_id("pledge-status").inner_text()
    pledge = Pledge.objects.get()
    assert pledge.event == conference

    # A payment in euros, converted at its value date's rate.
    page.get_by_test_id("record-payment").click()
    page.fill("#id_value_date", "2026-06-01")
    page.fill("#id_amount", "40000.00")
    page.fill("#id_currency", "EUR")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url(f"**/donors/pledges/{pledge.pk}/")
    # Thousands separated, with the currency (one visual language, issue 14).
    assert "44,000.00\u00a0USD" in page.get_by_test_id("payments").inner_text().replace(" USD", "\u00a0USD")
    assert "Partially paid" in page.get_by_test_id("pledge-status").inner_text()
    usd_value = Payment.objects.get().amount_usd
    assert usd_value == Decimal("44000.00")

    assert read_gap(page) == gap_before - usd_value
    # The chart is drawn from local assets (no inline script, no CDN).
    page.wait_for_function("() => window.Chart !== undefined && Chart.getChart('funding-chart') !== undefined")
