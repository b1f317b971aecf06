"""Controlled delivery, results with totals, intel links, the dashboard and the timeline."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from intel import services as intel_services
from operations.choices import ParticipantRole, Status
from operations.models import ControlledDelivery, OperationResult, ResultSeizure
from tests.intel.conftest import MARKINGS

from .conftest import advance, build_operation

pytestmark = pytest.mark.django_db


def _intel_seizure(author, recipients=()):
    return intel_services.create_seizure(
        user=author,
        fields={"title": "Heroin at the border", **MARKINGS},
        seizure={"occurred_at": timezone.now(), "country": author.state.code, "place": "Post", "place_type": "border"},
        items=[{"substance": "heroin", "form": "powder", "quantity": Decimal("5"), "unit": "kg"}],
        recipients=recipients,
        shortcut="",
        identifiers=(),
    )


@pytest.fixture
def active_operation(operation, coordinator):
    return advance(operation, Status.ACTIVE, coordinator)


def _seizure_post(state, **extra):
    return {
        "add_seizure": "1",
        "state": state.pk,
        "seized_on": timezone.localdate().isoformat(),
        "substance": "heroin",
        "quantity": "1500",
        "unit": "g",
        "description": "Lorry at Zhibek Zholy",
        **extra,
    }


def test_results_are_entered_and_totalled_on_the_page(client_for, active_operation, officer_kz, kz, uz):
    client = client_for(officer_kz)
    url = reverse("operations:operation-results", args=[active_operation.pk])
    client.post(url, _seizure_post(kz))
    client.post(url, _seizure_post(uz, quantity="2", unit="kg", substance="opium"))
    client.post(url, _seizure_post(uz, quantity="300", unit="tablets", substance="methamphetamine"))
    response = client.post(
        url,
        {
            "arrests": 4,
            "groups_dismantled": 1,
            "cash_seized": "12500.00",
            "cash_currency": "usd",
            "firearms_seized": 2,
            "vehicles_seized": 1,
            "notes": "",
        },
    )
    assert response.status_code == 302
    result = OperationResult.objects.get(operation=active_operation)
    assert (result.arrests, result.cash_currency) == (4, "USD")
    assert sorted(ResultSeizure.objects.values_list("kg_equivalent", flat=True), key=str) == [
        Decimal("1.500"),
        Decimal("2.000"),
        None,
    ]
    page = client.get(active_operation.get_absolute_url())
    assert page.context["total_kg"] == Decimal("3.500")
    assert "12,500.00\u00a0USD" in page.content.decode()  # money grouped, with its currency


def test_results_are_refused_before_the_operation_runs(client_for, operation, officer_kz, kz):
    url = reverse("operations:operation-results", args=[operation.pk])
    assert client_for(officer_kz).post(url, _seizure_post(kz)).status_code == 403
    assert not ResultSeizure.objects.exists()


def test_a_participant_may_not_enter_results(client_for, active_operation, officer_uz):
    assert (
        client_for(officer_uz).get(reverse("operations:operation-results", args=[active_operation.pk])).status_code
        == 403
    )


def test_a_seizure_links_only_an_intel_record_the_user_may_see(
    client_for, active_operation, officer_kz, officer_uz, kz, uz
):
    own = _intel_seizure(officer_kz)
    foreign = _intel_seizure(officer_uz)  # Uzbekistan's, not shared with Kazakhstan
    client = client_for(officer_kz)
    url = reverse("operations:operation-results", args=[active_operation.pk])
    response = client.post(url, _seizure_post(kz, intel_reference=foreign.reference))
    assert response.status_code == 200
    assert "intel_reference" in response.context["seizure_form"].errors
    assert not ResultSeizure.objects.exists()
    client.post(url, _seizure_post(kz, intel_reference=own.reference))
    assert ResultSeizure.objects.get().intel_record == own
    # Uzbekistan sees the operation but not Kazakhstan's record: no link for it.
    page = client_for(officer_uz).get(active_operation.get_absolute_url()).content.decode()
    assert own.reference not in page
    page = client_for(officer_kz).get(active_operation.get_absolute_url()).content.decode()
    assert 'data-testid="intel-link"' in page


def test_a_non_seizure_intel_record_cannot_be_linked(client_for, active_operation, officer_kz, kz):
    general = intel_services.create_record(
        user=officer_kz,
        fields={"title": "Note", "kind": "general", **MARKINGS},
        recipients=(),
        shortcut="",
        identifiers=(),
    )
    response = client_for(officer_kz).post(
        reverse("operations:operation-results", args=[active_operation.pk]),
        _seizure_post(kz, intel_reference=general.reference),
    )
    assert "intel_reference" in response.context["seizure_form"].errors


def test_controlled_delivery_route_legs_in_order(client_for, operation, officer_kz, kz, uz):
    url = reverse("operations:operation-delivery", args=[operation.pk])
    data = {
        "consignment_description": "20 kg heroin in a fruit lorry",
        "substitution": "partial",
        "tracker_identifiers": "GPS-778\nGPS-779\n",
        "legs-TOTAL_FORMS": "2",
        "legs-INITIAL_FORMS": "0",
        "legs-MIN_NUM_FORMS": "0",
        "legs-MAX_NUM_FORMS": "1000",
        "legs-0-order": "2",
        "legs-0-from_state": kz.pk,
        "legs-0-to_state": uz.pk,
        "legs-0-handover_point": "Almaty",
        "legs-1-order": "1",
        "legs-1-from_state": uz.pk,
        "legs-1-to_state": kz.pk,
        "legs-1-handover_point": "Zhibek Zholy",
    }
    assert client_for(officer_kz).post(url, data).status_code == 302
    delivery = ControlledDelivery.objects.get(operation=operation)
    assert delivery.trackers == ["GPS-778", "GPS-779"]
    assert [leg.handover_point for leg in delivery.legs.all()] == ["Zhibek Zholy", "Almaty"]
    data["legs-1-order"] = "2"
    data["legs-INITIAL_FORMS"] = "0"
    response = client_for(officer_kz).post(url, data)
    assert response.status_code == 200  # duplicate order refused, nothing half-written
    assert delivery.legs.count() == 2


def test_dashboard_counts_through_visibility_and_charts_seizures(
    client_for, operation, officer_kz, officer_kg, coordinator, kz, kg
):
    advance(operation, Status.ACTIVE, coordinator)
    ResultSeizure.objects.create(
        operation=operation,
        state=kz,
        seized_on=timezone.localdate(),
        substance="heroin",
        quantity=Decimal("12"),
        unit="kg",
        created_by=officer_kz,
    )
    ResultSeizure.objects.create(
        operation=operation,
        state=kz,
        seized_on=timezone.localdate() - timedelta(days=800),
        substance="opium",
        quantity=Decimal("99"),
        unit="kg",
        created_by=officer_kz,
    )
    other = build_operation(officer_kg, {kz: ParticipantRole.OBSERVER}, code_name="Not for UZ")
    assert other.status == Status.DRAFT

    page = client_for(coordinator).get(reverse("operations:dashboard"))
    counts = {row["status"]: row["count"] for row in page.context["status_counts"]}
    assert counts["active"] == 1 and counts["draft"] == 1
    assert page.context["chart_data"]["values"] == [12.0]  # only this year's
    html = page.content.decode()
    assert 'id="seizure-chart-data"' in html and "operations/dashboard.js" in html and "chart.umd.min.js" in html
    embedded = re.search(r'<script id="seizure-chart-data" type="application/json">(.*?)</script>', html).group(1)
    assert json.loads(embedded)["values"] == [12.0]
    assert "<script>" not in html  # CSP: no inline code

    page = client_for(officer_kg).get(reverse("operations:dashboard"))
    counts = {row["status"]: row["count"] for row in page.context["status_counts"]}
    assert counts["active"] == 0 and counts["draft"] == 1
    assert page.context["seizures"] == []


def test_timeline_shows_planned_and_running_operations_only(client_for, operation, officer_kz, coordinator, uz):
    advance(operation, Status.APPROVED, coordinator)
    draft = build_operation(officer_kz, {uz: ParticipantRole.PARTICIPANT}, code_name="Still a draft")
    page = client_for(officer_kz).get(reverse("operations:timeline"))
    html = page.content.decode()
    assert operation.reference in html and draft.reference not in html
    row = page.context["rows"][0]
    assert 0 <= row["left"] < 100 and 0 < row["width"] <= 100
