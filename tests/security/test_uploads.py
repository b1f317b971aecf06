"""One upload policy for every attachment (core.uploads): donor agreement files as intel's."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import uploads
from donors.models import AgreementAttachment
from tests.donors.conftest import make_pledge

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def agreement(client_for, donor_relations):
    pledge = make_pledge(amount="100.00")
    client_for(donor_relations).post(
        reverse("donors:agreement-create", args=[pledge.pk]), {"reference": "AG-1", "signed_on": "2026-05-01"}
    )
    return pledge.agreements.get()


def _attach(client, agreement, name: str, content: bytes, content_type: str):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("donors:attachment-create", args=[agreement.pk]), {"name": "Annex", "file": upload})


def test_an_html_file_is_refused_as_a_donor_attachment_with_a_form_error(client_for, donor_relations, agreement):
    response = _attach(client_for(donor_relations), agreement, "annex.pdf", HTML, "application/pdf")
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert "not accepted" in response.context["form"].errors["file"][0]
    assert not AgreementAttachment.objects.exists()


def test_an_oversized_donor_attachment_is_refused(client_for, donor_relations, agreement, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    response = _attach(client_for(donor_relations), agreement, "big.pdf", PDF, "application/pdf")
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not AgreementAttachment.objects.exists()


def test_a_pdf_is_accepted_stored_privately_and_served_as_a_logged_nosniff_download(
    client_for, donor_relations, agreement, caplog
):
    client = client_for(donor_relations)
    response = _attach(client, agreement, "signed agreement.pdf", PDF, "text/html")  # the client's type is ignored
    assert response.status_code == 302
    attachment = AgreementAttachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.size == len(PDF) and attachment.filename == "signed agreement.pdf"
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT).resolve())
    assert "agreement" not in path.name  # random stored name

    with caplog.at_level(logging.INFO, logger="caricc.downloads"):
        response = client.get(reverse("donors:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    assert any(f"donors.agreementattachment:{attachment.pk}" in r.getMessage() for r in caplog.records)


def test_a_file_stored_before_the_policy_is_never_served_as_html(client_for, donor_relations, agreement):
    # A row from before the policy: no sniffed type. It leaves as an opaque download.
    from django.core.files.base import ContentFile

    legacy = AgreementAttachment(agreement=agreement, name="old")
    legacy.file.save("old.html", ContentFile(HTML), save=True)
    response = client_for(donor_relations).get(reverse("donors:attachment-download", args=[legacy.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_policy_sniffs_the_content_not_the_name():
    assert uploads.sniff_content_type(PDF) == "application/pdf"
    assert uploads.sniff_content_type(HTML) is None
    checked = uploads.check_upload(SimpleUploadedFile("x.bin", PDF))
    assert checked.content_type == "application/pdf" and checked.sha256 == hashlib.sha256(PDF).hexdigest()


def test_intel_uses_the_same_policy():
    # No twin: intel's services take the core policy, not a copy of it.
    from intel import services

    assert not hasattr(services, "sniff_content_type") and not hasattr(services, "ALLOWED_TYPES")
    assert services.uploads is uploads
