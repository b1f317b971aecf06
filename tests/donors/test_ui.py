"""The donor relations pages: pledge with its schedule, payment entry, exports, history, rates."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from donors.choices import PledgeStatus
from donors.models import ExchangeRate, Instalment, Payment, Pledge

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db


def pledge_post(donor, event=None, amount="1000.00", parts=("400.00", "600.00"), currency="EUR"):
    data = {
        "donor": donor.pk,
        "event": event.pk if event else "",
        "announced_on": "2026-04-20",
        "amount": amount,
        "currency": currency.lower(),
        "earmark": "equipment",
        "earmark_detail": "Scanners",
        "year_from": 2026,
        "year_to": 2026,
        "conditions": "",
        "instalments-TOTAL_FORMS": str(len(parts)),
        "instalments-INITIAL_FORMS": "0",
        "instalments-MIN_NUM_FORMS": "1",
        "instalments-MAX_NUM_FORMS": "1000",
    }
    for n, part in enumerate(parts):
        data[f"instalments-{n}-due_on"] = f"2026-{6 + n * 3:02d}-30"
        data[f"instalments-{n}-amount"] = part
    return data


@time_machine.travel("2026-05-01 12:00 +05:00", tick=False)
def test_a_pledge_is_saved_with_its_schedule(client_for, donor_relations, conference, eur_rates):
    donor = DonorFactory()
    client = client_for(donor_relations)
    assert client.get(reverse("donors:pledge-create")).status_code == 200
    response = client.post(reverse("donors:pledge-create"), pledge_post(donor, conference))
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response.url == pledge.get_absolute_url()
    assert (pledge.currency, pledge.amount_usd, pledge.event) == ("EUR", Decimal("1080.00"), conference)
    assert pledge.created_by == donor_relations
    assert list(pledge.instalments.values_list("amount", flat=True)) == [Decimal("400.00"), Decimal("600.00")]
    page = client.get(pledge.get_absolute_url())
    assert page.status_code == 200
    assert b"Scanners" in page.content


def test_a_schedule_that_does_not_add_up_saves_nothing(client_for, donor_relations, eur_rates):
    response = client_for(donor_relations).post(
        reverse("donors:pledge-create"), pledge_post(DonorFactory(), parts=("400.00", "500.00"))
    )
    assert response.status_code == 200
    assert "add up to" in " ".join(response.context["formset"].non_form_errors())
    assert Pledge.objects.count() == 0
    assert Instalment.objects.count() == 0


def test_a_payment_in_euros_is_recorded_through_the_form(client_for, donor_relations, eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    client = client_for(donor_relations)
    assert client.get(reverse("donors:payment-create", args=[pledge.pk])).status_code == 200
    response = client.post(
        reverse("donors:payment-create", args=[pledge.pk]),
        {"value_date": "2026-06-01", "amount": "400.00", "currency": "eur", "reference": "TR-1"},
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount_usd, payment.rate_to_usd, payment.recorded_by) == (
        Decimal("440.00"),
        Decimal("1.1"),
        donor_relations,
    )
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PARTIALLY_PAID


def test_money_changes_keep_history(client_for, donor_relations, eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR", schedule=[(date(2026, 12, 1), "1000.00")])
    client = client_for(donor_relations)
    data = pledge_post(pledge.donor, amount="1200.00", parts=("1200.00",))
    data.update(
        {
            "instalments-INITIAL_FORMS": "1",
            "instalments-0-id": pledge.instalments.get().pk,
            "instalments-0-pledge": pledge.pk,
        }
    )
    response = client.post(reverse("donors:pledge-update", args=[pledge.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    amounts = set(pledge.history.values_list("amount", flat=True))
    assert {Decimal("1000.00"), Decimal("1200.00")} <= amounts
    assert pledge.history.filter(amount=Decimal("1200.00")).first().history_user == donor_relations
    assert set(Instalment.history.values_list("amount", flat=True)) >= {Decimal("1000.00"), Decimal("1200.00")}
    assert "1,200.00\u00a0EUR" in client.get(pledge.get_absolute_url()).content.decode()  # money, grouped


def test_the_pledge_table_exports_as_csv_and_xlsx(client_for, coordinator, eur_rates):
    from openpyxl import load_workbook

    make_pledge(DonorFactory(name="Visible donor"), amount="1000.00", currency="EUR")
    make_pledge(DonorFactory(name="Confidential donor", confidential=True), amount="5.00")
    client = client_for(coordinator)
    response = client.get(reverse("donors:pledge-export", args=["csv"]))
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert "Visible donor" in body and "1080.00" in body
    assert "Confidential donor" not in body
    response = client.get(reverse("donors:pledge-export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][1] == "Donor"
    assert [r[1] for r in rows[1:]] == ["Visible donor"]


def test_rates_are_maintained_and_imported_in_the_ui(client_for, donor_relations):
    client = client_for(donor_relations)
    response = client.post(
        reverse("donors:rate-create"), {"currency": "eur", "date": "2026-06-01", "rate_to_usd": "1.1", "source": "ECB"}
    )
    assert (response.status_code, response.url) == (302, reverse("donors:rate-list"))
    upload = SimpleUploadedFile("rates.csv", b"currency,date,rate_to_usd\nGBP,2026-06-01,1.27\nGBP,2026-06-02,x\n")
    response = client.post(reverse("donors:rate-import"), {"file": upload})
    assert response.status_code == 200
    assert "Line 3" in " ".join(response.context["form"].errors["file"])
    assert not ExchangeRate.objects.filter(currency="GBP").exists()
    upload = SimpleUploadedFile("rates.csv", b"currency,date,rate_to_usd\nGBP,2026-06-01,1.27\n")
    assert client.post(reverse("donors:rate-import"), {"file": upload}).status_code == 302
    assert ExchangeRate.objects.filter(currency="GBP").count() == 1
    assert b"1.27" in client.get(reverse("donors:rate-list")).content


def test_every_page_renders_for_donor_relations(client_for, donor_relations, eur_rates, conference):
    pledge = make_pledge(amount="1000.00", currency="EUR", event=conference)
    client = client_for(donor_relations)
    for url in [
        reverse("donors:donor-list"),
        reverse("donors:donor-detail", args=[pledge.donor_id]),
        reverse("donors:pledge-list") + "?year=2026&status=announced",
        reverse("donors:overdue"),
        reverse("donors:dashboard") + "?year=2026",
        reverse("donors:budget-list"),
        reverse("donors:event-list"),
        reverse("donors:rate-list"),
        reverse("donors:agreement-create", args=[pledge.pk]),
        "/",
    ]:
        assert client.get(url).status_code == 200, url


def test_the_pages_speak_russian(client_for, donor_relations):
    from django.utils import translation

    with translation.override("ru"):
        assert translation.gettext("Funding dashboard") == "Панель финансирования"
    client = client_for(donor_relations)
    client.cookies["django_language"] = "ru"
    body = client.get(reverse("donors:dashboard"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Дефицит" in body
    assert "Панель финансирования" in body


def test_the_home_page_shows_the_funding_panels(client_for, donor_relations, officer_kz):
    assert b"Funding dashboard" in client_for(donor_relations).get("/").content
    assert b"Funding dashboard" not in client_for(officer_kz).get("/").content
