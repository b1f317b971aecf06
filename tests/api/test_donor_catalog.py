"""The donors' reference objects in the API: the donors roles read them, everyone else gets 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from donors.models import BudgetLine, ExchangeRate, PledgingEvent

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/pledging-events/",
    "/api/v1/agreements/",
    "/api/v1/reporting-obligations/",
    "/api/v1/exchange-rates/",
    "/api/v1/budget-lines/",
]


@pytest.fixture
def catalog(db):
    event = PledgingEvent.objects.create(name="Online donor conference", date=dt.date(2026, 4, 20), online=True)
    rate = ExchangeRate.objects.create(currency="EUR", date=dt.date(2026, 4, 20), rate_to_usd=Decimal("1.08"))
    line = BudgetLine.objects.create(year=2026, category="staff", description="Analysts", amount_usd=Decimal("1000"))
    return {"pledging-events": event, "exchange-rates": rate, "budget-lines": line}


@pytest.mark.parametrize("path", PATHS)
def test_donor_relations_read_every_collection(api_for, donor_relations, catalog, path):
    response = api_for(donor_relations).get(path)
    assert response.status_code == 200
    key = path.strip("/").rsplit("/", 1)[-1]
    if key in catalog:
        assert [row["id"] for row in response.json()["results"]] == [catalog[key].pk]


@pytest.mark.parametrize("path", PATHS)
def test_officers_and_partner_systems_get_404(api_for, officer_uz, partner_api, catalog, path):
    assert api_for(officer_uz).get(path).status_code == 404
    assert partner_api.get(path).status_code == 404


def test_a_detail_reads_and_is_written_as_in_the_ui(api_for, donor_relations, catalog):
    # Writes in detail: tests/donors/test_api_catalog_writes.py. Nothing is deleted; events are never edited.
    client = api_for(donor_relations)
    url = f"/api/v1/exchange-rates/{catalog['exchange-rates'].pk}/"
    assert client.get(url).json()["currency"] == "EUR"
    assert client.patch(url, {"source": "x"}).status_code == 200
    assert client.delete(url).status_code in (403, 405)  # no delete route
    assert client.patch(f"/api/v1/pledging-events/{catalog['pledging-events'].pk}/", {"notes": "x"}).status_code == 405
