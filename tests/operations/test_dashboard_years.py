"""The operations dashboard: a year selector and the totals of five years side by side,
drawn from one grouped query."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from operations.choices import Status
from operations.models import ResultSeizure

from .conftest import advance

pytestmark = pytest.mark.django_db


def _seize(operation, state, user, on, substance, kg):
    ResultSeizure.objects.create(
        operation=operation,
        state=state,
        seized_on=on,
        substance=substance,
        quantity=Decimal(kg),
        unit="kg",
        created_by=user,
    )


def test_a_past_year_is_chosen_and_five_years_compared(
    client_for, operation, officer_kz, coordinator, kz, django_assert_max_num_queries
):
    advance(operation, Status.ACTIVE, coordinator)
    year = timezone.localdate().year
    _seize(operation, kz, officer_kz, date(year, 1, 2), "heroin", "12")
    _seize(operation, kz, officer_kz, date(year - 2, 3, 4), "opium", "1500")
    _seize(operation, kz, officer_kz, date(year - 2, 5, 6), "heroin", "2")
    _seize(operation, kz, officer_kz, date(year - 7, 5, 6), "heroin", "99")  # outside the window

    client = client_for(coordinator)
    page = client.get(reverse("operations:dashboard"), {"year": year - 2})
    assert page.context["year"] == year - 2
    assert [s["kg"] for s in page.context["seizures"]] == [1500.0, 2.0]
    comparison = {row["year"]: (row["count"], row["kg"]) for row in page.context["comparison"]}
    assert sorted(comparison) == list(range(year - 6, year - 1))
    assert comparison[year - 2] == (2, 1502.0) and comparison[year - 6] == (0, 0.0)
    html = page.content.decode()
    assert "1,502.000" in html  # kg with grouping and three decimals
    assert f'<option value="{year - 2}" selected>' in html

    default = client.get(reverse("operations:dashboard"))
    assert default.context["year"] == year and [r["year"] for r in default.context["comparison"]][-1] == year

    # The comparison costs no more queries than a single year did: one grouped query.
    counts = []
    for y in (year, year - 2):
        with django_assert_max_num_queries(30) as ctx:
            client.get(reverse("operations:dashboard"), {"year": y})
        counts.append(sum("operations_resultseizure" in q["sql"] for q in ctx.captured_queries))
    assert counts == [1, 1]


@pytest.mark.parametrize("value", ["1999", "abc", "3000"])
def test_an_impossible_year_falls_back_to_this_year(client_for, coordinator, value):
    page = client_for(coordinator).get(reverse("operations:dashboard"), {"year": value})
    assert page.context["year"] == timezone.localdate().year
