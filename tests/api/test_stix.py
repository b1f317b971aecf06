"""STIX 2.1: export a record or a filtered list, import a bundle, round trip."""

from __future__ import annotations

import json

import pytest
import stix2

from intel import stix
from intel.models import IntelRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def seizure_with_identifiers(make_seizure, officer_kz, uz):
    return make_seizure(
        officer_kz,
        recipients=[uz],
        title="Heroin in a lorry",
        summary="12 kg behind the cabin wall",
        identifiers=[{"kind": "plate", "value": "123ABC02"}, {"kind": "phone", "value": "+77011234567"}],
    )


def test_a_record_exports_as_a_bundle_that_stix2_parses(api_for, officer_uz, seizure_with_identifiers):
    response = api_for(officer_uz).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/")
    assert response.status_code == 200
    bundle = stix2.parse(json.dumps(response.json()), allow_custom=True)
    types = [o.type for o in bundle.objects]
    assert types.count("report") == 1
    assert types.count("x-caricc-identifier") == 2
    report = next(o for o in bundle.objects if o.type == "report")
    assert stix.TLP2_IDS["AMBER"] in report.object_marking_refs
    ext = report.extensions[stix.CARICC_EXTENSION]
    assert ext["kind"] == "seizure" and ext["items"][0]["substance"] == "heroin"


def test_out_of_scope_records_are_404_and_lists_hold_only_visible_records(
    api_for, officer_kg, officer_uz, seizure_with_identifiers, make_record, officer_kz
):
    hidden = make_record(officer_kz, recipients=[])
    assert api_for(officer_kg).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").status_code == 404
    bundle = api_for(officer_uz).get("/api/v1/intel/records/stix/", {"kind": "seizure"}).json()
    names = [o["name"] for o in bundle["objects"] if o["type"] == "report"]
    assert names == ["Heroin in a lorry"]
    assert hidden.title not in json.dumps(bundle)
    stix2.parse(json.dumps(bundle), allow_custom=True)


def test_export_import_export_gives_the_same_content(api_for, officer_kz, officer_uz, seizure_with_identifiers, uz):
    first = api_for(officer_uz).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").json()
    response = api_for(officer_uz).post("/api/v1/intel/stix/", first, HTTP_IDEMPOTENCY_KEY="stix-1")
    assert response.status_code == 201, response.content
    (imported,) = response.json()
    assert imported["originating_state"] == "UZ" and imported["id"] != seizure_with_identifiers.pk
    second = api_for(officer_uz).get(f"/api/v1/intel/records/{imported['id']}/stix/").json()
    assert stix.content(second) == stix.content(first)
    # The same key again: the first answer, no second record.
    again = api_for(officer_uz).post("/api/v1/intel/stix/", first, HTTP_IDEMPOTENCY_KEY="stix-1")
    assert again.status_code == 201 and again.json() == response.json()
    assert IntelRecord.objects.filter(title="Heroin in a lorry").count() == 2


def test_an_invalid_bundle_or_report_is_400_and_writes_nothing(api_for, officer_uz, seizure_with_identifiers):
    client = api_for(officer_uz)
    assert client.post("/api/v1/intel/stix/", {"type": "bundle", "id": "nope"}).status_code == 400
    bundle = client.get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").json()
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    report["extensions"][stix.CARICC_EXTENSION]["items"] = []  # a seizure needs items
    before = IntelRecord.objects.count()
    response = client.post("/api/v1/intel/stix/", bundle)
    assert response.status_code == 400 and "reports" in response.json()
    assert IntelRecord.objects.count() == before


def test_a_partner_token_imports_as_its_state(partner_api, api_for, officer_uz, seizure_with_identifiers):
    bundle = api_for(officer_uz).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").json()
    response = partner_api.post("/api/v1/intel/stix/", bundle)
    assert response.status_code == 201, response.content
    assert response.json()[0]["originating_state"] == "KZ"
