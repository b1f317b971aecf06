"""Donors and finished pledges are archived, never deleted; archived money still counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from donors.dashboard import funding_summary
from donors.models import BudgetLine, Donor, Payment, Pledge

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db


def test_an_archived_donor_leaves_the_list_but_not_the_database(client_for, donor_relations):
    donor = DonorFactory(name="Former donor")
    client = client_for(donor_relations)
    assert client.post(reverse("donors:donor-archive", args=[donor.pk])).status_code == 302
    donor.refresh_from_db()
    assert donor.archived_at is not None
    assert b"Former donor" not in client.get(reverse("donors:donor-list")).content
    assert b"Former donor" in client.get(reverse("donors:donor-list"), {"archived": "true"}).content
    assert client.get(donor.get_absolute_url()).status_code == 200
    client.post(reverse("donors:donor-archive", args=[donor.pk]), {"restore": "1"})
    donor.refresh_from_db()
    assert donor.archived_at is None
    assert Donor.history.filter(id=donor.pk).count() >= 3


def test_an_open_pledge_cannot_be_archived(client_for, donor_relations):
    pledge = make_pledge(amount="100.00")
    client_for(donor_relations).post(reverse("donors:pledge-archive", args=[pledge.pk]))
    pledge.refresh_from_db()
    assert pledge.archived_at is None


def test_a_paid_and_archived_pledge_still_counts_on_the_dashboard(client_for, donor_relations):
    BudgetLine.objects.create(year=2026, category="staff", description="Staff", amount_usd=Decimal("1000"))
    pledge = make_pledge(amount="100.00")
    Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 1), amount=Decimal("100"), currency="USD")
    before = funding_summary(donor_relations, 2026)["totals"]
    client = client_for(donor_relations)
    client.post(reverse("donors:pledge-archive", args=[pledge.pk]))
    pledge.refresh_from_db()
    assert pledge.archived_at is not None
    assert funding_summary(donor_relations, 2026)["totals"] == before
    assert before["received"] == Decimal("100.00")
    listed = client.get(reverse("donors:pledge-list")).context["object_list"]
    assert pledge not in list(listed)
    assert Pledge.objects.filter(pk=pledge.pk).exists()


def test_a_coordinator_cannot_archive(client_for, coordinator):
    donor = DonorFactory()
    assert client_for(coordinator).post(reverse("donors:donor-archive", args=[donor.pk])).status_code == 403
    donor.refresh_from_db()
    assert donor.archived_at is None
