"""Dashboard totals equal a direct SQL sum of the same rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from donors.choices import Closure, Earmark
from donors.dashboard import funding_summary
from donors.models import Agreement, BudgetLine, Payment

from .conftest import DonorFactory, make_pledge, make_rate

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 12, 31)


def sql_decimal(query: str, params: list) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        value = cursor.fetchone()[0]
    # SQLite answers floats; round to cents through str, exactly as money is kept.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


COMMITTED = """
    SELECT SUM(ROUND(i.amount * pl.rate_to_usd, 2)) FROM donors_instalment i
    JOIN donors_pledge pl ON pl.id = i.pledge_id
    WHERE i.due_on BETWEEN %s AND %s AND pl.closure = ''
      AND EXISTS (SELECT 1 FROM donors_agreement a
                  WHERE a.pledge_id = pl.id AND a.signed_on IS NOT NULL)
"""
RECEIVED = """
    SELECT SUM(pay.amount_usd) FROM donors_payment pay JOIN donors_pledge pl ON pl.id = pay.pledge_id
    WHERE pay.value_date BETWEEN %s AND %s
"""
FUNDED = """
    SELECT SUM(CASE WHEN c > r THEN c ELSE r END) FROM (
      SELECT
        COALESCE((SELECT SUM(ROUND(i.amount * pl.rate_to_usd, 2)) FROM donors_instalment i
                  WHERE i.pledge_id = pl.id AND i.due_on BETWEEN %s AND %s
                  AND pl.closure = ''
                  AND EXISTS (SELECT 1 FROM donors_agreement a
                              WHERE a.pledge_id = pl.id AND a.signed_on IS NOT NULL)), 0) AS c,
        COALESCE((SELECT SUM(pay.amount_usd) FROM donors_payment pay
                  WHERE pay.pledge_id = pl.id AND pay.value_date BETWEEN %s AND %s), 0) AS r
      FROM donors_pledge pl
    ) per_pledge
"""


@pytest.fixture
def year_2026(eur_rates):
    for category, amount in [("staff", "1000000.00"), ("equipment", "250000.50"), ("training", "99999.99")]:
        BudgetLine.objects.create(year=2026, category=category, description=category, amount_usd=Decimal(amount))
    BudgetLine.objects.create(year=2025, category="staff", description="last year", amount_usd=Decimal("777"))
    make_rate("EUR", date(2025, 12, 1), "1.05")

    usd = make_pledge(
        DonorFactory(name="United States"),
        amount="1000.00",
        schedule=[(date(2026, 6, 1), "600.00"), (date(2027, 1, 15), "400.00")],
        years=(2026, 2027),
    )
    Agreement.objects.create(pledge=usd, reference="US", signed_on=date(2026, 5, 1))
    Payment.objects.create(pledge=usd, value_date=date(2026, 6, 1), amount=Decimal("600.00"), currency="USD")

    eur = make_pledge(
        DonorFactory(name="Germany"),
        amount="500.00",
        currency="EUR",
        earmark=Earmark.EQUIPMENT,
        schedule=[(date(2026, 10, 1), "500.00")],
    )
    Agreement.objects.create(pledge=eur, reference="DE", signed_on=date(2026, 5, 2))
    Payment.objects.create(pledge=eur, value_date=date(2026, 7, 1), amount=Decimal("200.00"), currency="EUR")

    announced = make_pledge(
        DonorFactory(name="European Union"),
        amount="1000.00",
        currency="EUR",
        earmark=Earmark.JOINT_OPERATION,
        schedule=[(date(2026, 11, 1), "1000.00")],
    )
    Payment.objects.create(pledge=announced, value_date=date(2026, 6, 1), amount=Decimal("100.00"), currency="EUR")

    cancelled = make_pledge(DonorFactory(name="Withdrawn"), amount="5000.00", schedule=[(date(2026, 9, 1), "5000.00")])
    Agreement.objects.create(pledge=cancelled, reference="W", signed_on=date(2026, 5, 3))
    cancelled.close(Closure.CANCELLED, "Withdrawn")

    last_year = make_pledge(DonorFactory(name="Early bird"), amount="300.00", schedule=[(date(2025, 12, 1), "300.00")])
    Payment.objects.create(pledge=last_year, value_date=date(2025, 12, 1), amount=Decimal("300.00"), currency="EUR")

    secret = make_pledge(
        DonorFactory(name="Quiet", confidential=True), amount="2000.00", schedule=[(date(2026, 8, 1), "2000.00")]
    )
    Agreement.objects.create(pledge=secret, reference="Q", signed_on=date(2026, 5, 4))


def test_totals_equal_a_direct_sql_sum(donor_relations, year_2026):
    totals = funding_summary(donor_relations, 2026)["totals"]
    requirement = sql_decimal("SELECT SUM(amount_usd) FROM donors_budgetline WHERE year = %s", [2026])
    committed = sql_decimal(COMMITTED, [START, END])
    received = sql_decimal(RECEIVED, [START, END])
    funded = sql_decimal(FUNDED, [START, END, START, END])

    assert totals["requirement"] == requirement == Decimal("1350000.49")
    assert totals["committed"] == committed == Decimal("600.00") + Decimal("540.00") + Decimal("2000.00")
    assert totals["received"] == received == Decimal("600.00") + Decimal("225.00") + Decimal("110.00")
    assert totals["funded"] == funded == Decimal("600.00") + Decimal("540.00") + Decimal("110.00") + Decimal("2000.00")
    assert totals["gap"] == requirement - funded
    assert totals["coverage"] == (funded * 100 / requirement).quantize(Decimal("0.1"))


def test_by_donor_and_by_earmark_add_up_to_the_totals(donor_relations, year_2026):
    summary = funding_summary(donor_relations, 2026)
    for key in ("committed", "received", "funded"):
        assert sum(d[key] for d in summary["by_donor"]) == summary["totals"][key]
        assert sum(e[key] for e in summary["by_earmark"]) == summary["totals"][key]
    by_name = {d["name"]: d for d in summary["by_donor"]}
    assert by_name["European Union"]["received"] == Decimal("110.00")
    assert "Withdrawn" not in by_name


def test_a_coordinator_sees_totals_without_confidential_donors(coordinator, donor_relations, year_2026):
    full = funding_summary(donor_relations, 2026)["totals"]
    partial = funding_summary(coordinator, 2026)["totals"]
    assert full["committed"] - partial["committed"] == Decimal("2000.00")


def test_the_page_and_the_api_show_the_same_numbers(client_for, api_for, donor_relations, year_2026):
    totals = funding_summary(donor_relations, 2026)["totals"]
    response = client_for(donor_relations).get(reverse("donors:dashboard"), {"year": 2026})
    assert response.status_code == 200
    body = response.content.decode()
    from core.templatetags.portal import money

    assert f'data-testid="gap">{money(totals["gap"], "USD")}<' in body
    assert 'id="funding-data"' in body
    assert "donors/dashboard.js" in body
    api = api_for(donor_relations).get("/api/v1/funding/summary/", {"year": 2026}).json()
    assert api["totals"]["gap"] == str(totals["gap"])
    assert api["totals"]["received"] == str(totals["received"])
    assert api_for(donor_relations).get("/api/v1/funding/summary/", {"year": "x"}).status_code == 400
    out_of_range = api_for(donor_relations).get("/api/v1/funding/summary/", {"year": 1999})
    assert out_of_range.status_code == 400
    assert "year" in out_of_range.json()
    # No year: the current one.
    current = api_for(donor_relations).get("/api/v1/funding/summary/").json()
    assert current["year"] == timezone.localdate().year
