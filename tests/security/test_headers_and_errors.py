"""Cache-Control on record content, JSON errors on the API, the API's map only for signed-in callers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intel.models import Attachment
from tests.intel.conftest import make_record  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _no_store(response) -> None:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_a_record_page_its_api_detail_and_its_attachment_are_never_cached(
    officer_kz,
    make_record,  # noqa: F811 - the fixture imported above
    client_for,
    api_for,
    partner_api,
):
    record = make_record(officer_kz)
    api = api_for(officer_kz)
    api.post(
        f"/api/v1/intel/records/{record.pk}/attachments/",
        {"file": SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    attachment = Attachment.objects.get()
    client = client_for(officer_kz)

    page = client.get(record.get_absolute_url())
    assert page.status_code == 200
    _no_store(page)
    detail = api.get(f"/api/v1/intel/records/{record.pk}/")
    assert detail.status_code == 200
    _no_store(detail)
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    _no_store(download)
    assert download["X-Content-Type-Options"] == "nosniff"
    # A token's answers too (DRF authenticates it after the middleware ran).
    _no_store(partner_api.get("/api/v1/states/"))


def test_an_anonymous_answer_without_record_content_is_left_alone(client):
    # (The sign-in page is never_cache by Django itself; static files never reach the middleware.)
    response = client.get("/healthz")
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.urls("tests.security.urls_faulty")
@pytest.mark.parametrize("path", ["/api/v1/fails/", "/api/v1/fails-in-drf/"])
def test_a_server_error_on_the_api_answers_json(client, path):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] and "RuntimeError" not in str(body)  # no detail of the fault leaks


@pytest.mark.urls("tests.security.urls_faulty")
def test_a_server_error_on_a_page_stays_a_page(client):
    client.raise_request_exception = False
    response = client.get("/fails/")
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")


def test_an_unknown_api_path_and_a_nul_byte_answer_json(api_for, officer_kz):
    api = api_for(officer_kz)
    missing = api.get("/api/v1/no-such-collection/")
    assert missing.status_code == 404 and missing.json()["detail"]
    nul = api.get("/api/v1/states/%00/")
    assert nul.status_code == 400 and nul.json()["detail"]


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_api_schema_and_docs_refuse_anonymous_callers(client, path):
    response = client.get(path)
    assert response.status_code in (401, 302)
    assert b"/api/v1/states/" not in response.content


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_api_schema_and_docs_answer_a_signed_in_user(client_for, officer_kz, path):
    assert client_for(officer_kz).get(path).status_code == 200


def test_the_api_schema_answers_a_partner_token(partner_api):
    response = partner_api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/states/" in response.content
