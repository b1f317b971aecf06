"""Every amount converts to USD at the rate of its own value date; a missing rate is refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from donors.choices import PledgeStatus
from donors.imports import import_rates
from donors.models import ExchangeRate, Payment, Pledge

from .conftest import make_pledge, make_rate

pytestmark = pytest.mark.django_db


def test_a_pledge_in_euros_converts_at_its_announcement_date(eur_rates):
    pledge = make_pledge(amount="500000.00", currency="EUR")
    assert pledge.rate_to_usd == Decimal("1.08")
    assert pledge.amount_usd == Decimal("540000.00")


def test_payments_convert_at_their_value_date_and_keep_the_rate(eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    june = Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 1), amount=Decimal("100.00"), currency="EUR")
    july = Payment.objects.create(pledge=pledge, value_date=date(2026, 7, 1), amount=Decimal("100.00"), currency="EUR")
    assert (june.rate_to_usd, june.amount_usd) == (Decimal("1.1"), Decimal("110.00"))
    assert (july.rate_to_usd, july.amount_usd) == (Decimal("1.125"), Decimal("112.50"))
    # A later correction of the rate table does not rewrite what was recorded.
    ExchangeRate.objects.filter(currency="EUR", date=date(2026, 6, 1)).update(rate_to_usd=Decimal("2"))
    june.refresh_from_db()
    assert june.amount_usd == Decimal("110.00")
    pledge.refresh_from_db()
    assert pledge.received_usd == Decimal("222.50")


def test_a_payment_in_another_currency_counts_in_the_pledge_currency(eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    payment = Payment.objects.create(
        pledge=pledge, value_date=date(2026, 6, 1), amount=Decimal("1100.00"), currency="USD"
    )
    assert payment.pledge_rate_to_usd == Decimal("1.1")
    assert payment.pledge_amount == Decimal("1000.00")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID


def test_a_payment_without_a_rate_for_its_date_is_refused_in_the_model(eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    with pytest.raises(ValidationError) as exc:
        Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 2), amount=Decimal("1.00"), currency="EUR")
    assert "value_date" in exc.value.message_dict
    assert Payment.objects.count() == 0


def test_the_payment_form_shows_the_missing_rate_and_saves_nothing(client_for, donor_relations, eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    response = client_for(donor_relations).post(
        reverse("donors:payment-create", args=[pledge.pk]),
        {"value_date": "2026-06-02", "amount": "250.00", "currency": "EUR"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "No exchange rate for EUR" in errors["value_date"][0]
    assert Payment.objects.count() == 0
    pledge.refresh_from_db()
    assert (pledge.status, pledge.received_amount) == (PledgeStatus.ANNOUNCED, Decimal("0.00"))


def test_the_api_answers_400_on_the_value_date_and_saves_nothing(api_for, donor_relations, eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    response = api_for(donor_relations).post(
        "/api/v1/payments/",
        {"pledge": pledge.pk, "value_date": "2026-06-02", "amount": "250.00", "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 400
    assert "No exchange rate for EUR" in response.json()["value_date"][0]
    assert Payment.objects.count() == 0


def test_a_cross_currency_payment_needs_the_pledge_currency_rate_too(eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    make_rate("GBP", date(2026, 6, 3), "1.27")
    with pytest.raises(ValidationError):
        Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 3), amount=Decimal("1.00"), currency="GBP")
    assert Payment.objects.count() == 0


def test_a_pledge_without_a_rate_for_its_date_is_refused(client_for, donor_relations):
    from .conftest import DonorFactory

    donor = DonorFactory()
    response = client_for(donor_relations).post(
        reverse("donors:pledge-create"),
        {
            "donor": donor.pk,
            "announced_on": "2026-04-20",
            "amount": "100.00",
            "currency": "EUR",
            "earmark": "core",
            "year_from": 2026,
            "year_to": 2026,
            "instalments-TOTAL_FORMS": "1",
            "instalments-INITIAL_FORMS": "0",
            "instalments-MIN_NUM_FORMS": "1",
            "instalments-MAX_NUM_FORMS": "1000",
            "instalments-0-due_on": "2026-12-01",
            "instalments-0-amount": "100.00",
        },
    )
    assert response.status_code == 200
    assert "announced_on" in response.context["form"].errors
    assert Pledge.objects.count() == 0


def test_unknown_currency_codes_are_refused(api_for, donor_relations):
    from .conftest import DonorFactory

    response = api_for(donor_relations).post(
        "/api/v1/pledges/",
        {
            "donor": DonorFactory().pk,
            "announced_on": "2026-04-20",
            "amount": "10.00",
            "currency": "XYZ",
            "earmark": "core",
            "year_from": 2026,
            "year_to": 2026,
            "instalments": [{"due_on": "2026-12-01", "amount": "10.00"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "currency" in response.json()


def test_rate_import_is_all_or_nothing():
    with pytest.raises(ValidationError) as exc:
        import_rates(b"currency,date,rate_to_usd\nEUR,2026-05-01,1.09\nEUR,2026-05-02,abc\nQQQ,2026-05-03,1\n")
    assert len(exc.value.messages) == 2
    assert ExchangeRate.objects.count() == 0
    created, updated = import_rates(b"currency,date,rate_to_usd\nEUR,2026-05-01,1.09\nEUR,2026-05-02,1.095\n")
    assert (created, updated) == (2, 0)
    assert import_rates(b"currency,date,rate_to_usd\neur,2026-05-01,1.1\n") == (0, 1)
    assert ExchangeRate.objects.get(currency="EUR", date=date(2026, 5, 1)).rate_to_usd == Decimal("1.1")


def test_rate_import_costs_the_same_queries_for_5_and_100_lines_and_keeps_history(django_assert_num_queries):
    def csv_for(days: int, rate: str) -> bytes:
        lines = [f"EUR,{date(2025, 1, 1) + timedelta(days=n):%Y-%m-%d},{rate}" for n in range(days)]
        return ("currency,date,rate_to_usd\n" + "\n".join(lines)).encode()

    assert import_rates(csv_for(3, "1.00")) == (3, 0)
    with CaptureQueriesContext(connection) as small:
        assert import_rates(csv_for(5, "1.05")) == (2, 3)
    # 100 lines stay within one insert batch (SQLite allows 999 parameters per query).
    with django_assert_num_queries(len(small.captured_queries)):
        assert import_rates(csv_for(100, "1.07")) == (95, 5)
    assert ExchangeRate.objects.get(currency="EUR", date=date(2025, 1, 1)).rate_to_usd == Decimal("1.07")
    assert ExchangeRate.history.filter(currency="EUR", date=date(2025, 1, 1)).count() == 3
    assert ExchangeRate.history.count() == 3 + 5 + 100
