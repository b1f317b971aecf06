"""Attachments: private storage, size limit, type checked by content, SHA-256, logged download."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from intel.models import AccessLog, Attachment

from .test_record_visibility import PDF

pytestmark = pytest.mark.django_db


def upload(api, record, name, content, content_type="application/pdf"):
    return api.post(
        f"/api/v1/intel/records/{record.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def test_a_pdf_is_stored_privately_with_its_sha256(officer_kz, make_record, api_for):
    record = make_record(officer_kz)
    response = upload(api_for(officer_kz), record, "report.pdf", PDF)
    assert response.status_code == 201, response.content
    att = Attachment.objects.get()
    assert att.sha256 == hashlib.sha256(PDF).hexdigest() == response.json()["sha256"]
    assert att.content_type == "application/pdf"
    path = Path(att.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert "report" not in path.name  # the stored name is random


def test_a_disguised_file_is_refused(officer_kz, make_record, api_for):
    record = make_record(officer_kz)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = upload(api_for(officer_kz), record, "innocent.pdf", exe)
    assert response.status_code == 400 and "file" in response.json()
    html = b"<html><script>alert(1)</script></html>"
    assert upload(api_for(officer_kz), record, "photo.png", html, "image/png").status_code == 400
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(officer_kz, make_record, api_for, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    record = make_record(officer_kz)
    response = upload(api_for(officer_kz), record, "big.pdf", PDF + b"0" * 200)
    assert response.status_code == 400 and "file" in response.json()
    assert not Attachment.objects.exists()


def test_a_recipient_cannot_attach(officer_kz, officer_uz, uz, make_record, api_for):
    record = make_record(officer_kz, recipients=[uz])
    assert upload(api_for(officer_uz), record, "r.pdf", PDF).status_code == 403


def test_download_is_permission_checked_and_logged(
    officer_kz, officer_uz, officer_kg, uz, make_record, api_for, client_for
):
    record = make_record(officer_kz, recipients=[uz])
    upload(api_for(officer_kz), record, "report.pdf", PDF)
    att = Attachment.objects.get()
    response = client_for(officer_uz).get(att.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(record=record, user=officer_uz, action="download").count() == 1
    assert client_for(officer_kg).get(att.get_absolute_url()).status_code == 404
    assert AccessLog.objects.filter(action="download").count() == 1


def test_the_ui_form_refuses_a_disguised_attachment_and_saves_nothing(officer_kz, client_for):
    from intel.models import IntelRecord

    data = {
        "kind": "general",
        "title": "With file",
        "tlp": "GREEN",
        "handling_code": "H0",
        "classification": "restricted",
        "source_reliability": "B",
        "information_credibility": "2",
        "ident-TOTAL_FORMS": "0",
        "ident-INITIAL_FORMS": "0",
        "attachment": SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf"),
    }
    response = client_for(officer_kz).post("/intel/records/new/", data)
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    assert not IntelRecord.objects.exists()
