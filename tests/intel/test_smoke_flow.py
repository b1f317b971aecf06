"""One walk through the main paths, UI and API, as a quick end-to-end check."""

import pytest
from django.urls import reverse

from intel.models import AccessLog, IntelRecord

from .conftest import SEIZURE_PAYLOAD

pytestmark = pytest.mark.django_db


def test_an_officer_files_a_seizure_by_api_and_the_recipient_reads_it(api_for, officer_kz, officer_uz, uz):
    response = api_for(officer_kz).post(
        "/api/v1/intel/seizures/", {**SEIZURE_PAYLOAD, "share_with": ["UZ"]}, format="json"
    )
    assert response.status_code == 201, response.content
    record = IntelRecord.objects.get(pk=response.json()["id"])
    assert record.reference.startswith("CARICC-")
    assert response.json()["seizure"]["items"][0]["kg_equivalent"] == "12.500"

    listing = api_for(officer_uz).get("/api/v1/intel/records/")
    assert [r["id"] for r in listing.json()["results"]] == [record.pk]
    detail = api_for(officer_uz).get(f"/api/v1/intel/records/{record.pk}/")
    assert detail.status_code == 200
    assert AccessLog.objects.filter(record=record, user=officer_uz).count() == 1


def test_the_ui_pages_render(client_for, officer_kz, officer_uz, make_seizure, uz):
    record = make_seizure(officer_kz, recipients=[uz])
    c = client_for(officer_uz)
    for name in ("intel:inbox", "intel:record-list", "intel:my-records", "intel:search"):
        assert c.get(reverse(name)).status_code == 200
    page = c.get(record.get_absolute_url())
    assert page.status_code == 200
    assert record.reference in page.content.decode()
    c = client_for(officer_kz)
    for name in ("intel:seizure-create", "intel:rfi-create", "intel:record-create"):
        assert c.get(reverse(name)).status_code == 200
    assert c.get(record.get_absolute_url()).status_code == 200


def test_list_rows_carry_the_detail_url(api_for, officer_kz, make_record):
    record = make_record(officer_kz)
    row = api_for(officer_kz).get("/api/v1/intel/records/").json()["results"][0]
    assert row["url"] == f"http://testserver/api/v1/intel/records/{record.pk}/"
    assert row["originating_state"] == "KZ" and row["evaluation"] == "B2"


def test_the_pages_speak_russian(client_for, officer_kz, officer_uz, make_seizure, uz, make_record):
    from django.utils import translation

    record = make_seizure(officer_kz, recipients=[uz], identifiers=[{"kind": "plate", "value": "01KZ777ABA"}])
    make_record(officer_kz, identifiers=[{"kind": "plate", "value": "01KZ777ABA"}])
    c = client_for(officer_uz)
    c.cookies["django_language"] = "ru"
    page = c.get(record.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Связанные идентификаторы" in page
    assert "Героин" in page
    assert "у государства Казахстан: 1 запись" in page
    with translation.override("ru"):
        inbox = c.get("/intel/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Входящие" in inbox


def test_fast_list_rows_match_drf_field_output(api_for, officer_kz, make_record):
    from rest_framework import serializers

    record = make_record(officer_kz)
    row = api_for(officer_kz).get("/api/v1/intel/records/").json()["results"][0]
    assert row["created_at"] == serializers.DateTimeField().to_representation(record.created_at)
