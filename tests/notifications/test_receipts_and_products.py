"""Receipts per recipient state; RFIs about a record; the centre's products; review actions."""

from __future__ import annotations

import pytest

from intel import services
from intel.models import IntelRecord, Receipt

from .conftest import MARKINGS

pytestmark = pytest.mark.django_db


def test_receipts_not_opened_received_acknowledged(
    make_record, officer_kz, officer_uz, officer_kg, uz, kg, client_for, api_for
):
    record = make_record(officer_kz, recipients=[uz, kg])
    url = f"/api/v1/intel/records/{record.pk}/receipts/"
    assert {r["state"]: r["status"] for r in api_for(officer_kz).get(url).json()} == {
        "KG": "not_opened",
        "UZ": "not_opened",
    }
    client_for(officer_uz).get(record.get_absolute_url())
    client_for(officer_uz).get(record.get_absolute_url())  # a second opening changes nothing
    assert Receipt.objects.filter(record=record).count() == 1
    assert api_for(officer_kg).post(f"/api/v1/intel/records/{record.pk}/acknowledge/").status_code == 200
    assert {r["state"]: r["status"] for r in api_for(officer_kz).get(url).json()} == {
        "KG": "acknowledged",
        "UZ": "received",
    }
    # Only the originator (and the centre) sees receipts; an outsider gets 404.
    assert api_for(officer_uz).get(url).status_code == 403
    page = client_for(officer_kz).get(record.get_absolute_url()).content.decode()
    assert 'data-testid="receipt-UZ"' in page and "received" in page
    assert client_for(officer_uz).post(f"/intel/records/{record.pk}/acknowledge/").status_code == 302
    assert Receipt.objects.get(record=record, state=uz).acknowledged_at is not None


def test_an_rfi_about_a_record_is_linked_only_for_those_who_see_it(
    make_record, officer_kz, officer_uz, officer_kg, uz, kg, client_for
):
    record = make_record(officer_kz, recipients=[uz])
    page = client_for(officer_uz).get(f"/intel/rfis/new/?about={record.pk}")
    assert page.status_code == 200 and page.context["form"].initial["addressees"] == [officer_kz.state_id]
    rfi = services.create_rfi(
        user=officer_uz,
        fields={"title": "About it", **MARKINGS},
        addressees=[officer_kz.state, kg],
        purpose="p",
        legal_basis="l",
        questions=["Who drove?"],
        about=record,
    )
    assert rfi.rfi.about == record
    assert 'data-testid="rfi-about"' in client_for(officer_kz).get(rfi.get_absolute_url()).content.decode()
    # Kyrgyzstan is an addressee of the request but may not see the record: no link.
    assert 'data-testid="rfi-about"' not in client_for(officer_kg).get(rfi.get_absolute_url()).content.decode()
    # The answer form shows the questions; the answer's text appears in the thread.
    form = client_for(officer_kz).get(f"/intel/records/{rfi.pk}/respond/").content.decode()
    assert "Who drove?" in form
    services.respond(user=officer_kz, rfi_record=rfi, fields={"title": "Answer", "body": "Aidar drove.", **MARKINGS})
    assert "Aidar drove." in client_for(officer_uz).get(rfi.get_absolute_url()).content.decode()
    assert client_for(officer_kg).get(f"/intel/rfis/new/?about={record.pk}").status_code == 404


def test_an_analyst_originates_a_centre_product(analyst, officer_uz, uz, client_for):
    record = services.create_record(
        user=analyst, fields={"title": "Regional trends", "kind": "bulletin", **MARKINGS}, recipients=[uz]
    )
    assert record.originating_state is None and record.originator_is_centre
    assert IntelRecord.objects.visible_to(officer_uz).filter(pk=record.pk).exists()
    page = client_for(analyst).get("/intel/centre-products/").content.decode()
    assert record.reference in page and "CARICC" in page
    with pytest.raises(Exception, match="centre originates"):
        services.create_record(user=analyst, fields={"title": "x", "kind": "seizure", **MARKINGS})


def test_an_analyst_uses_the_record_form(analyst, client_for):
    response = client_for(analyst).get("/intel/records/new/")
    assert response.status_code == 200
    assert [k for k, _label in response.context["form"].fields["kind"].choices] == ["analysis", "alert", "bulletin"]


def test_only_the_originator_extends_or_archives(make_record, officer_kz, officer_uz, uz, client_for):
    record = make_record(officer_kz, recipients=[uz])
    assert client_for(officer_uz).post(f"/intel/records/{record.pk}/review/archive/").status_code == 403
    assert client_for(officer_kz).post(f"/intel/records/{record.pk}/review/archive/").status_code == 302
    record.refresh_from_db()
    assert record.status == "archived"


def test_a_centre_product_reads_in_the_api_list_detail_and_csv(analyst, officer_uz, uz, api_for, client_for):
    record = services.create_record(
        user=analyst, fields={"title": "Alert: new route", "kind": "alert", **MARKINGS}, recipients=[uz]
    )
    api = api_for(officer_uz)
    assert api.get(f"/api/v1/intel/records/{record.pk}/").status_code == 200
    assert record.reference in str(api.get("/api/v1/intel/records/").json())
    response = client_for(analyst).get("/intel/export.csv")
    csv = b"".join(response.streaming_content).decode()
    assert record.reference in csv and "CARICC" in csv


def test_an_officer_reading_through_the_api_receives_but_a_partner_system_does_not(
    make_record, officer_kz, officer_uz, partner_kz, uz, kz, api_for, partner_api
):
    record = make_record(officer_uz, recipients=[kz])
    partner_api.get(f"/api/v1/intel/records/{record.pk}/")
    assert not Receipt.objects.filter(record=record).exists()
    api_for(officer_kz).get(f"/api/v1/intel/records/{record.pk}/")
    assert Receipt.objects.filter(record=record, state=kz, opened_by=officer_kz).exists()


def test_the_api_makes_an_rfi_about_a_record_and_shows_the_link_only_to_who_may_see_it(
    make_record, officer_kz, officer_uz, officer_kg, uz, kg, api_for
):
    record = make_record(officer_kz, recipients=[uz])
    payload = {
        "title": "About the lorry",
        **MARKINGS,
        "addressees": ["KZ", "KG"],
        "purpose": "p",
        "legal_basis": "l",
        "questions": ["Who drove?"],
    }
    refused = api_for(officer_kg).post(
        "/api/v1/intel/rfis/", {**payload, "addressees": ["KZ"], "about": record.pk}, format="json"
    )
    assert refused.status_code == 400 and "about" in refused.json()
    created = api_for(officer_uz).post("/api/v1/intel/rfis/", {**payload, "about": record.pk}, format="json")
    assert created.status_code == 201, created.json()
    rfi_id = created.json()["id"]
    assert api_for(officer_kz).get(f"/api/v1/intel/records/{rfi_id}/").json()["rfi"]["about"] == record.pk
    assert api_for(officer_kg).get(f"/api/v1/intel/records/{rfi_id}/").json()["rfi"]["about"] is None
