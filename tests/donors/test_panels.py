"""The donors panels of the home page are bounded (issue 15 item 3): "Overdue" counts at most
a cap of rows per table and then says "more than N"; the year's coverage is one aggregate
query over that year's rows, equal to the funding dashboard's; the panels cost the same
queries whatever the number of rows; every filter they use has an index."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone, translation

import donors.dashboard
from donors.choices import InstalmentStatus, ObligationStatus
from donors.dashboard import funding_coverage, funding_summary, overdue_count, year_totals
from donors.models import Agreement, Instalment, ReportingObligation

from .conftest import DonorFactory, make_pledge
from .test_dashboard import year_2026  # noqa: F401 - the dashboard's fixture year

pytestmark = pytest.mark.django_db


def overdue_instalments(n: int, *, confidential: bool = False) -> None:
    """n past-due, unpaid instalments (one pledge, signed)."""
    past = timezone.localdate() - timedelta(days=30)
    pledge = make_pledge(
        DonorFactory(confidential=confidential),
        amount=f"{100 * n}.00",
        schedule=[(past - timedelta(days=i), "100.00") for i in range(n)],
        years=(past.year - 1, past.year),
    )
    assert pledge.instalments.filter(status=InstalmentStatus.OVERDUE).count() == n


def overdue_obligations(n: int) -> None:
    past = timezone.localdate() - timedelta(days=10)
    pledge = make_pledge(DonorFactory(), years=(past.year - 1, past.year), schedule=[(past, "1000.00")])
    agreement = Agreement.objects.create(pledge=pledge, reference=f"A-{pledge.pk}", signed_on=past)
    for i in range(n):
        obligation = ReportingObligation.objects.create(
            agreement=agreement, kind="financial", due_on=past - timedelta(i)
        )
        assert obligation.status == ObligationStatus.OVERDUE


def donors_panels(user) -> dict[str, object]:
    """The panels' values: "funding" (the year's coverage) and "overdue"."""
    request = RequestFactory().get("/")
    request.user = user
    funding, overdue = apps.get_app_config("donors").home_panels(request)
    return {"funding": funding["value"], "overdue": overdue["value"]}


def test_overdue_is_exact_up_to_the_cap_then_more_than(donor_relations, monkeypatch):
    monkeypatch.setattr(donors.dashboard, "OVERDUE_PANEL_CAP", 5)
    overdue_instalments(3)
    overdue_obligations(1)  # its pledge's instalment is overdue too: 5 in all
    assert donors_panels(donor_relations)["overdue"] == 5

    overdue_obligations(0)  # one more overdue instalment: 6
    assert str(donors_panels(donor_relations)["overdue"]) == "more than 5"
    with translation.override("ru"):
        assert str(donors_panels(donor_relations)["overdue"]) == "более 5"


def test_overdue_is_capped_in_each_table_and_the_sum(donor_relations):
    overdue_instalments(4)
    assert overdue_count(donor_relations, cap=4) == 4
    assert str(overdue_count(donor_relations, cap=3)) == "more than 3"  # one table alone above the cap
    overdue_obligations(1)  # 4 + 1 instalments, 1 obligation
    assert overdue_count(donor_relations, cap=6) == 6
    assert str(overdue_count(donor_relations, cap=5)) == "more than 5"  # the sum above the cap


def test_overdue_leaves_out_confidential_donors_for_a_coordinator(donor_relations, coordinator):
    overdue_instalments(2)
    overdue_instalments(3, confidential=True)
    assert overdue_count(donor_relations) == 5
    assert overdue_count(coordinator) == 2


def test_the_home_page_shows_the_panels(client_for, donor_relations, monkeypatch):
    monkeypatch.setattr(donors.dashboard, "OVERDUE_PANEL_CAP", 2)
    overdue_instalments(3)
    response = client_for(donor_relations).get("/")
    assert response.status_code == 200
    assert "more than 2" in response.content.decode()


@pytest.mark.parametrize("persona", ["donor_relations", "coordinator"])
def test_coverage_in_one_query_equals_the_dashboards(request, persona, year_2026, django_assert_num_queries):  # noqa: F811
    user = request.getfixturevalue(persona)
    year_totals(user, 2025)  # the user's permissions loaded, as on any page
    with django_assert_num_queries(1):
        requirement, funded = year_totals(user, 2026)
    totals = funding_summary(user, 2026)["totals"]
    assert (requirement, funded) == (totals["requirement"], totals["funded"])
    assert funding_coverage(user, 2026) == totals["coverage"]


def test_coverage_without_a_budget_or_money(donor_relations):
    assert year_totals(donor_relations, 2031) == (Decimal(0), Decimal(0))
    assert funding_coverage(donor_relations, 2031) is None


def test_the_panels_cost_the_same_queries_at_few_and_many_rows(donor_relations, django_assert_num_queries):
    donors_panels(donor_relations)  # the user's permissions cached, as on any page
    overdue_instalments(2)
    overdue_obligations(1)
    with django_assert_num_queries(3) as few:
        donors_panels(donor_relations)
    overdue_instalments(40)
    overdue_obligations(30)
    with django_assert_num_queries(3) as many:
        panels = donors_panels(donor_relations)
    assert panels["overdue"] == 2 + 1 + 1 + 40 + 30 + 1
    assert len(few.captured_queries) == len(many.captured_queries)


YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
FILTERS = {
    "donors_instalment_status_idx": lambda: Instalment.objects.filter(status=InstalmentStatus.OVERDUE),
    "donors_obligation_status_idx": lambda: ReportingObligation.objects.filter(status=ObligationStatus.OVERDUE),
    "donors_instalment_due_idx": lambda: Instalment.objects.filter(due_on__range=YEAR_2026),
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("index", FILTERS)
def test_each_filter_of_the_panels_has_an_index(index):
    # A handful of rows: tell the planner a table scan is out of the question.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert index in FILTERS[index]().order_by().explain()
