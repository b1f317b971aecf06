"""Helpers for the donors tests: donors, pledges with schedules, rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
import pytest

from donors.choices import DonorType, Earmark
from donors.models import Donor, ExchangeRate, Instalment, Pledge, PledgingEvent


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor

    name = factory.Sequence(lambda n: f"Donor {n:04d}")
    type = DonorType.GOVERNMENT
    country = "DE"


def make_rate(currency: str, on: date, rate: str) -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, date=on, rate_to_usd=Decimal(rate))


def make_pledge(
    donor=None,
    *,
    amount="1000.00",
    currency="USD",
    announced_on=date(2026, 4, 20),
    schedule=None,
    earmark=Earmark.CORE,
    event=None,
    years=(2026, 2026),
) -> Pledge:
    """A pledge with its schedule (one instalment of the whole amount by default)."""
    pledge = Pledge.objects.create(
        donor=donor or DonorFactory(),
        event=event,
        announced_on=announced_on,
        amount=Decimal(amount),
        currency=currency,
        earmark=earmark,
        year_from=years[0],
        year_to=years[1],
    )
    for due_on, part in schedule or [(date(years[0], 12, 1), amount)]:
        Instalment.objects.create(pledge=pledge, due_on=due_on, amount=Decimal(part))
    pledge.refresh_status()
    return pledge


@pytest.fixture
def conference(db) -> PledgingEvent:
    return PledgingEvent.objects.create(name="Online donor conference", date=date(2026, 4, 20), online=True)


@pytest.fixture
def eur_rates(db) -> dict[date, ExchangeRate]:
    """EUR rates on the conference day and two payment days (each different)."""
    return {
        date(2026, 4, 20): make_rate("EUR", date(2026, 4, 20), "1.0800"),
        date(2026, 6, 1): make_rate("EUR", date(2026, 6, 1), "1.1000"),
        date(2026, 7, 1): make_rate("EUR", date(2026, 7, 1), "1.1250"),
    }
