"""Agreements, attachments and reporting obligations in the UI."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from donors.choices import ObligationStatus, PledgeStatus
from donors.models import AgreementAttachment, ReportingObligation

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-05-01 12:00 +05:00", tick=False)
def test_signing_an_agreement_commits_the_pledge_and_obligations_follow(client_for, donor_relations):
    pledge = make_pledge(amount="100.00")
    client = client_for(donor_relations)
    response = client.post(
        reverse("donors:agreement-create", args=[pledge.pk]),
        {"reference": "AG-2026-1", "signed_on": "2026-04-30", "start_on": "2026-05-01", "end_on": "2026-12-31"},
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.COMMITTED
    agreement = pledge.agreements.get()

    response = client.post(
        reverse("donors:obligation-create", args=[agreement.pk]),
        {"kind": "financial", "due_on": "2026-04-30"},
    )
    assert response.status_code == 302
    obligation = ReportingObligation.objects.get()
    assert obligation.status == ObligationStatus.OVERDUE
    response = client.post(
        reverse("donors:obligation-update", args=[obligation.pk]),
        {"kind": "financial", "due_on": "2026-04-30", "accepted_on": "2026-05-01"},
    )
    assert response.status_code == 200  # accepted before submitted: refused
    client.post(
        reverse("donors:obligation-update", args=[obligation.pk]),
        {"kind": "financial", "due_on": "2026-04-30", "submitted_on": "2026-05-01"},
    )
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.SUBMITTED
    assert b"Financial report" in client.get(reverse("donors:donor-detail", args=[pledge.donor_id])).content


def test_attachments_are_downloaded_only_by_those_who_may_see_them(
    client_for, donor_relations, coordinator, officer_kz
):
    pledge = make_pledge(DonorFactory(confidential=True), amount="100.00")
    client = client_for(donor_relations)
    client.post(reverse("donors:agreement-create", args=[pledge.pk]), {"reference": "AG", "signed_on": "2026-05-01"})
    agreement = pledge.agreements.get()
    upload = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(
        reverse("donors:attachment-create", args=[agreement.pk]), {"name": "Signed agreement", "file": upload}
    )
    assert response.status_code == 302
    attachment = AgreementAttachment.objects.get()
    url = reverse("donors:attachment-download", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    client.logout()
    assert client_for(coordinator).get(url).status_code == 404  # confidential donor
    client.logout()
    assert client_for(officer_kz).get(url).status_code == 404


def test_closing_a_pledge_in_the_ui(client_for, donor_relations):
    pledge = make_pledge(amount="100.00")
    client = client_for(donor_relations)
    client.post(reverse("donors:pledge-close", args=[pledge.pk]), {"closure": "written_off", "reason": ""})
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ANNOUNCED
    client.post(reverse("donors:pledge-close", args=[pledge.pk]), {"closure": "written_off", "reason": "Unpaid"})
    pledge.refresh_from_db()
    assert (pledge.status, pledge.closure_reason, pledge.closed_on is not None) == (
        PledgeStatus.WRITTEN_OFF,
        "Unpaid",
        True,
    )
    assert client.get(reverse("donors:pledge-update", args=[pledge.pk])).status_code == 404


def test_budget_lines_and_events_are_kept_in_the_ui(client_for, donor_relations):
    client = client_for(donor_relations)
    response = client.post(
        reverse("donors:budget-create"),
        {"year": 2026, "category": "training", "description": "Courses", "amount_usd": "1000.00"},
    )
    assert response.status_code == 302
    assert response.url == reverse("donors:budget-list") + "?year=2026"
    assert b"Courses" in client.get(reverse("donors:budget-list"), {"year": 2026}).content
    response = client.post(
        reverse("donors:event-create"), {"name": "Donor conference", "date": "2026-04-20", "online": "on"}
    )
    assert response.status_code == 302
    assert response.url == reverse("donors:event-list")
    assert b"Donor conference" in client.get(reverse("donors:event-list")).content
