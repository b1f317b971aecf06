"""A pledge's status follows from agreements and money received; nobody types it."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from donors.choices import Closure, InstalmentStatus, PledgeStatus
from donors.models import Agreement, Payment

from .conftest import make_pledge

pytestmark = pytest.mark.django_db


def pay(pledge, amount, on=date(2026, 6, 1), currency=None):
    return Payment.objects.create(
        pledge=pledge, value_date=on, amount=Decimal(amount), currency=currency or pledge.currency
    )


def test_a_new_pledge_is_announced_and_an_agreement_commits_it():
    pledge = make_pledge(amount="1000.00")
    assert pledge.status == PledgeStatus.ANNOUNCED
    Agreement.objects.create(pledge=pledge, reference="A-1")  # not signed yet
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ANNOUNCED
    Agreement.objects.create(pledge=pledge, reference="A-2", signed_on=date(2026, 5, 1))
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.COMMITTED


@time_machine.travel("2026-07-01 12:00 +05:00", tick=False)
def test_partial_full_and_over_payment():
    pledge = make_pledge(amount="1000.00", schedule=[(date(2026, 6, 30), "400.00"), (date(2026, 9, 30), "600.00")])
    Agreement.objects.create(pledge=pledge, reference="A", signed_on=date(2026, 5, 1))

    pay(pledge, "400.00")
    pledge.refresh_from_db()
    assert (pledge.status, pledge.received_amount, pledge.overpaid) == (
        PledgeStatus.PARTIALLY_PAID,
        Decimal("400.00"),
        False,
    )
    assert list(pledge.instalments.values_list("status", flat=True)) == [InstalmentStatus.PAID, "scheduled"]

    pay(pledge, "600.00")
    pledge.refresh_from_db()
    assert (pledge.status, pledge.received_amount, pledge.overpaid) == (PledgeStatus.PAID, Decimal("1000.00"), False)
    assert set(pledge.instalments.values_list("status", flat=True)) == {InstalmentStatus.PAID}

    pay(pledge, "0.01")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID
    assert pledge.overpaid is True
    assert pledge.received_amount == Decimal("1000.01")


def test_the_overpaid_filter_reads_the_amounts(api_for, donor_relations):
    overpaid, exact, open_ = make_pledge(amount="100.00"), make_pledge(amount="100.00"), make_pledge(amount="100.00")
    pay(overpaid, "100.50")
    pay(exact, "100.00")
    api = api_for(donor_relations)

    def ids(flag: str) -> set[int]:
        return {row["id"] for row in api.get("/api/v1/pledges/", {"overpaid": flag}).json()["results"]}

    assert ids("true") == {overpaid.pk}
    assert ids("false") == {exact.pk, open_.pk}
    assert api.get(f"/api/v1/pledges/{overpaid.pk}/").json()["overpaid"] is True


def test_money_without_an_agreement_still_makes_it_partially_paid():
    pledge = make_pledge(amount="1000.00")
    pay(pledge, "10.00")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PARTIALLY_PAID


def test_cancel_and_write_off_need_a_reason_and_keep_it():
    pledge = make_pledge(amount="1000.00")
    with pytest.raises(ValidationError):
        pledge.close(Closure.CANCELLED, "  ")
    pledge.close(Closure.CANCELLED, "Donor withdrew after elections")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CANCELLED
    assert pledge.closure_reason == "Donor withdrew after elections"
    assert set(pledge.instalments.values_list("status", flat=True)) == {InstalmentStatus.CLOSED}

    other = make_pledge(amount="1000.00")
    pay(other, "300.00")
    other.close(Closure.WRITTEN_OFF, "Remainder will not come")
    other.refresh_from_db()
    assert other.status == PledgeStatus.WRITTEN_OFF
    assert other.received_amount == Decimal("300.00")


def test_a_fully_paid_pledge_cannot_be_closed():
    pledge = make_pledge(amount="100.00")
    pay(pledge, "100.00")
    pledge.refresh_from_db()
    with pytest.raises(ValidationError):
        pledge.close(Closure.WRITTEN_OFF, "why not")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PAID


def test_status_is_not_on_any_form_or_writable_in_the_api():
    from donors.api.serializers import PledgeSerializer
    from donors.forms import PledgeForm

    assert "status" not in PledgeForm.base_fields
    assert "status" in PledgeSerializer.Meta.read_only_fields
