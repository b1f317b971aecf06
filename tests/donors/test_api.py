"""The donors API: pledges with schedules, payments, closing (409), cursor pages, the schema."""

from datetime import date
from decimal import Decimal

import pytest

from donors.choices import PledgeStatus
from donors.models import Payment, Pledge

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db


def test_a_pledge_is_created_with_its_schedule(api_for, donor_relations, conference, eur_rates):
    donor = DonorFactory()
    response = api_for(donor_relations).post(
        "/api/v1/pledges/",
        {
            "donor": donor.pk,
            "event": conference.pk,
            "announced_on": "2026-04-20",
            "amount": "1000.00",
            "currency": "eur",
            "earmark": "training",
            "year_from": 2026,
            "year_to": 2026,
            "status": "paid",  # read-only: ignored
            "instalments": [{"due_on": "2026-06-30", "amount": "400.00"}, {"due_on": "2026-12-31", "amount": "600.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount_usd"], body["currency"]) == ("announced", "1080.00", "EUR")
    assert body["url"].endswith(f"/api/v1/pledges/{body['id']}/")
    assert [i["amount"] for i in body["instalments"]] == ["400.00", "600.00"]
    assert Pledge.objects.get().created_by == donor_relations


def test_a_schedule_that_does_not_add_up_is_a_400(api_for, donor_relations):
    response = api_for(donor_relations).post(
        "/api/v1/pledges/",
        {
            "donor": DonorFactory().pk,
            "announced_on": "2026-04-20",
            "amount": "1000.00",
            "currency": "USD",
            "earmark": "core",
            "year_from": 2026,
            "year_to": 2026,
            "instalments": [{"due_on": "2026-06-30", "amount": "400.00"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "instalments" in response.json()
    assert Pledge.objects.count() == 0


def test_bad_currency_and_missing_rate_are_field_errors(api_for, donor_relations, eur_rates):
    api = api_for(donor_relations)
    pledge = {
        "donor": DonorFactory().pk,
        "announced_on": "2026-04-20",
        "amount": "1000.00",
        "earmark": "core",
        "year_from": 2026,
        "year_to": 2026,
        "instalments": [{"due_on": "2026-06-30", "amount": "1000.00"}],
    }
    response = api.post("/api/v1/pledges/", {**pledge, "currency": "xyz"}, format="json")
    assert response.status_code == 400
    assert "XYZ is not an ISO 4217" in response.json()["currency"][0]
    response = api.post("/api/v1/pledges/", {**pledge, "currency": "eur", "announced_on": "2020-01-01"}, format="json")
    assert response.status_code == 400
    assert "No exchange rate for EUR" in response.json()["announced_on"][0]
    payment = {"pledge": make_pledge().pk, "value_date": "2026-06-01", "amount": "1.00"}
    response = api.post("/api/v1/payments/", {**payment, "currency": "zzz"}, format="json")
    assert response.status_code == 400
    assert "currency" in response.json()
    assert Pledge.objects.count() == 1
    assert Payment.objects.count() == 0


def test_payments_are_recorded_and_never_edited(api_for, donor_relations, eur_rates):
    pledge = make_pledge(amount="1000.00", currency="EUR")
    api = api_for(donor_relations)
    response = api.post(
        "/api/v1/payments/",
        {"pledge": pledge.pk, "value_date": "2026-07-01", "amount": "1000.00", "currency": "EUR"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["amount_usd"], response.json()["rate_to_usd"]) == ("1125.00", "1.1250000000")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID
    payment_id = response.json()["id"]
    assert api.patch(f"/api/v1/payments/{payment_id}/", {"amount": "1"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/payments/{payment_id}/").status_code in (403, 405)
    assert Payment.objects.get().amount == Decimal("1000.00")


def test_closing_a_pledge_twice_is_a_409(api_for, donor_relations):
    pledge = make_pledge(amount="100.00")
    api = api_for(donor_relations)
    url = f"/api/v1/pledges/{pledge.pk}/close/"
    response = api.post(url, {"closure": "cancelled", "reason": "Withdrawn"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert api.post(url, {"closure": "written_off", "reason": "again"}, format="json").status_code == 409
    assert api.post(url, {"closure": "written_off"}, format="json").status_code == 400


def test_closing_a_paid_pledge_is_a_409(api_for, donor_relations):
    pledge = make_pledge(amount="100.00")
    Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 1), amount=Decimal("100"), currency="USD")
    response = api_for(donor_relations).post(
        f"/api/v1/pledges/{pledge.pk}/close/", {"closure": "written_off", "reason": "x"}, format="json"
    )
    assert response.status_code == 409
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID


def test_a_coordinator_cannot_close_a_pledge(api_for, coordinator):
    pledge = make_pledge(amount="100.00")
    response = api_for(coordinator).post(
        f"/api/v1/pledges/{pledge.pk}/close/", {"closure": "cancelled", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    pledge.refresh_from_db()
    assert pledge.closure == ""


def test_lists_are_cursor_paginated(api_for, donor_relations):
    for _ in range(3):
        make_pledge(amount="10.00")
    api = api_for(donor_relations)
    first = api.get("/api/v1/pledges/", {"page_size": 2}).json()
    assert set(first) >= {"results", "next"}
    assert "count" not in first
    second = api.get(first["next"]).json()
    ids = [p["id"] for p in first["results"]] + [p["id"] for p in second["results"]]
    assert len(set(ids)) == 3


def test_the_openapi_schema_lists_the_donor_endpoints(api_for, donor_relations):
    response = api_for(donor_relations).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/donors/", "/api/v1/pledges/", "/api/v1/payments/", "/api/v1/funding/summary/"]:
        assert path in paths
