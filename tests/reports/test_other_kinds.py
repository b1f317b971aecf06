"""Funding status, RFI compliance and operations summary: figures and who may ask."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from donors.dashboard import funding_summary
from donors.models import Agreement, BudgetLine, Payment
from intel.models import IntelRecord, RequestForInformation
from reports.kinds import get_kind
from tests.donors.conftest import DonorFactory, make_pledge
from tests.reports.conftest import read_csv

pytestmark = pytest.mark.django_db

YEAR_2026 = {"date_from": "2026-01-01", "date_to": "2026-12-31", "states": []}


@pytest.fixture
def funding(db):
    BudgetLine.objects.create(year=2026, category="staff", description="staff", amount_usd=Decimal("5000.00"))
    open_donor = DonorFactory(name="Open donor")
    secret_donor = DonorFactory(name="Quiet donor", confidential=True)
    paid = make_pledge(open_donor, amount="3000.00")
    Agreement.objects.create(pledge=paid, signed_on=dt.date(2026, 5, 1), reference="AG-1")
    Payment.objects.create(pledge=paid, value_date=dt.date(2026, 6, 1), amount=Decimal("1200.00"), currency="USD")
    make_pledge(secret_donor, amount="1000.00")
    return {"open": open_donor, "secret": secret_donor}


def test_funding_status_matches_the_donors_dashboard(build, donor_relations, funding):
    report = build(donor_relations, "funding_status", YEAR_2026, "csv")
    assert report.status == "succeeded", report.error
    rows = read_csv(report)
    assert rows[0] == [
        "Year",
        "Donor",
        "Pledged (USD)",
        "Committed (USD)",
        "Received (USD)",
        "Outstanding (USD)",
        "Requirement (USD)",
        "Gap (USD)",
    ]
    by_donor = {r[1]: r for r in rows[1:]}
    assert by_donor["Open donor"][2:6] == ["3000.00", "3000.00", "1200.00", "1800.00"]
    assert by_donor["Quiet donor"][2:6] == ["1000.00", "0.00", "0.00", "1000.00"]
    totals = funding_summary(donor_relations, 2026)["totals"]
    total = by_donor["All donors"]
    assert [Decimal(v) for v in total[3:5] + total[6:8]] == [
        totals["committed"],
        totals["received"],
        totals["requirement"],
        totals["gap"],
    ]


def test_a_coordinator_does_not_see_confidential_donors_in_the_report(build, coordinator, funding):
    rows = read_csv(build(coordinator, "funding_status", YEAR_2026, "csv"))
    assert "Quiet donor" not in {r[1] for r in rows[1:]}


def test_only_donor_relations_and_coordinators_may_request_funding(api_for, officer_kz, analyst, funding):
    body = {"kind": "funding_status", "format": "csv", "parameters": YEAR_2026}
    assert api_for(officer_kz).post("/api/v1/reports/", body, format="json").status_code == 403
    assert api_for(analyst).post("/api/v1/reports/", body, format="json").status_code == 403
    assert not get_kind("funding_status").may_request(officer_kz)


def make_rfi(author, state, addressees, deadline, created_at):
    record = IntelRecord.objects.create(
        kind="rfi",
        title="Who owns the truck?",
        originating_state=state,
        author=author,
        tlp="AMBER",
        handling_code="H0",
        classification="restricted",
        source_reliability="B",
        information_credibility="2",
        created_at=created_at,
    )
    record.grant_originator()
    record.share_with(addressees)
    rfi = RequestForInformation.objects.create(
        record=record, purpose="Case", legal_basis="Agreement", deadline=deadline
    )
    rfi.addressees.set(addressees)
    return record


def answer(author, state, rfi_record, at):
    response = IntelRecord.objects.create(
        kind="response",
        title="Answer",
        originating_state=state,
        author=author,
        tlp="GREEN",
        handling_code="H0",
        classification="restricted",
        source_reliability="B",
        information_credibility="2",
        in_reply_to=rfi_record,
        created_at=at,
    )
    response.grant_originator()
    response.share_with([rfi_record.originating_state])
    return response


def test_rfi_compliance_counts_on_time_late_and_unanswered_by_addressee(
    build, officer_kz, officer_uz, officer_kg, kz, uz, kg
):
    tz = timezone.get_default_timezone()
    sent = dt.datetime(2026, 2, 1, 9, tzinfo=tz)
    deadline = dt.datetime(2026, 2, 8, 9, tzinfo=tz)
    first = make_rfi(officer_kz, kz, [uz, kg], deadline, sent)
    second = make_rfi(officer_kz, kz, [uz], deadline, sent)
    answer(officer_uz, uz, first, dt.datetime(2026, 2, 5, tzinfo=tz))  # on time
    answer(officer_uz, uz, second, dt.datetime(2026, 2, 10, tzinfo=tz))  # late
    # Kyrgyzstan never answers the first.
    rows = read_csv(build(officer_kz, "rfi_compliance", YEAR_2026, "csv"))
    by_state = {r[0]: r for r in rows[1:]}
    assert by_state["UZ"][2:8] == ["2", "1", "1", "0", "0", "50.0"]
    assert by_state["KG"][2:8] == ["1", "0", "0", "1", "0", "0.0"]
    # An officer of Kyrgyzstan sees only the request addressed to it (with its addressee
    # list), not the second one, and not Uzbekistan's answer, which was not shared with it.
    rows = read_csv(build(officer_kg, "rfi_compliance", YEAR_2026, "csv"))
    by_state = {r[0]: r for r in rows[1:]}
    assert by_state["KG"][2:7] == ["1", "0", "0", "1", "0"]
    assert by_state["UZ"][2:7] == ["1", "0", "0", "1", "0"]


def test_operations_summary_lists_what_the_requester_may_see_with_results(
    build, officer_kz, officer_uz, officer_kg, uz, coordinator
):
    from operations.choices import ParticipantRole
    from operations.models import ResultSeizure
    from tests.operations.conftest import advance, build_operation

    start = dt.date(2026, 3, 1)
    ours = build_operation(officer_kz, {uz: ParticipantRole.PARTICIPANT}, code_name="Caravan", planned_start=start)
    advance(ours, "completed", coordinator)
    ResultSeizure.objects.create(
        operation=ours,
        state=ours.lead_state,
        seized_on=dt.date(2026, 3, 5),
        substance="heroin",
        quantity=Decimal("12.5"),
        unit="kg",
        created_by=officer_kz,
    )
    build_operation(officer_kg, {}, code_name="Steppe", planned_start=start)  # Kyrgyzstan alone

    rows = read_csv(build(officer_kz, "operations_summary", YEAR_2026, "csv"))
    assert [r[1] for r in rows[1:]] == ["Caravan"]
    caravan = rows[1]
    assert caravan[3] == "KZ" and caravan[4] == "Completed"
    assert caravan[7] == "3" and caravan[9] == "12.500"  # arrests, kg seized
    assert {r[1] for r in read_csv(build(coordinator, "operations_summary", YEAR_2026, "csv"))[1:]} == {
        "Caravan",
        "Steppe",
    }
    assert [r[1] for r in read_csv(build(officer_uz, "operations_summary", YEAR_2026, "csv"))[1:]] == ["Caravan"]
