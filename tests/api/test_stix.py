"""STIX 2.1: export a record or a filtered list, import a bundle, round trip."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
import stix2

from intel import stix
from intel.models import IntelRecord
from intel.vocabularies import IdentifierKind

pytestmark = pytest.mark.django_db

# A consumer that knows nothing of the portal: a fresh interpreter in isolated mode (no
# project on sys.path, so nothing registered with stix2), parsing strictly. An in-process
# parse would not prove it: whatever the project registers with stix2 at import time
# would make its own custom content parse.
STRICT_CONSUMER = """
import json, sys
import stix2
assert not any(m.split(".")[0] in {"intel", "core", "caricc_portal", "django"} for m in sys.modules)
text = sys.stdin.read()
bundle = stix2.parse(text)
stix2.parse(text, allow_custom=False)
print(json.dumps(sorted(o.type for o in bundle.objects)))
"""


def parse_strictly(bundle: dict) -> list[str]:
    """The object types of a bundle parsed by a clean consumer with `stix2.parse` (allow_custom False)."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", STRICT_CONSUMER],
        input=json.dumps(bundle),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


ALL_KINDS = [
    {"kind": kind, "value": f"{kind.upper()}-123456"}
    | ({"date_of_birth": dt.date(1980, 5, 17)} if kind == IdentifierKind.PERSON else {})
    for kind in IdentifierKind.values
]


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
    types = parse_strictly(response.json())
    assert types.count("report") == 1
    assert not [t for t in types if t.startswith("x-")]
    bundle = stix2.parse(json.dumps(response.json()))
    report = next(o for o in bundle.objects if o.type == "report")
    assert stix.TLP2_IDS["AMBER"] in report.object_marking_refs
    ext = report.extensions[stix.CARICC_EXTENSION]
    assert ext["kind"] == "seizure" and ext["items"][0]["substance"] == "heroin"
    # The phone is a standard user-account in object_refs; the plate (no STIX object) is in the extension.
    (phone,) = [o for o in bundle.objects if o.type == "user-account"]
    assert (phone.account_type, phone.user_id, phone.id in report.object_refs) == ("phone", "+77011234567", True)
    assert phone.extensions[stix.IDENTIFIER_EXTENSION]["kind"] == "phone"
    assert ext["identifiers"] == [{"kind": "plate", "value": "123ABC02"}]
    # Every extension used is defined in the bundle.
    defined = {o.id for o in bundle.objects if o.type == "extension-definition"}
    used = {k for o in bundle.objects for k in o.get("extensions", {}) if k.startswith("extension-definition--")}
    assert used - {stix.TLP2_EXTENSION} <= defined


def test_every_identifier_kind_exports_strictly_and_round_trips(api_for, officer_uz, make_record, officer_kz, uz):
    record = make_record(officer_kz, recipients=[uz], title="All kinds", identifiers=ALL_KINDS)
    first = api_for(officer_uz).get(f"/api/v1/intel/records/{record.pk}/stix/").json()
    types = parse_strictly(first)
    assert types.count("user-account") == 1  # phone
    assert types.count("identity") == 4  # the person, the company, the originating state, the centre
    (parsed,) = stix.content(first)
    assert [(i["kind"], i["value"], i.get("date_of_birth")) for i in parsed["identifiers"]] == sorted(
        (i["kind"], i["value"], i["date_of_birth"].isoformat() if "date_of_birth" in i else None) for i in ALL_KINDS
    )
    response = api_for(officer_uz).post("/api/v1/intel/stix/", first)
    assert response.status_code == 201, response.content
    second = api_for(officer_uz).get(f"/api/v1/intel/records/{response.json()[0]['id']}/stix/").json()
    parse_strictly(second)
    assert stix.content(second) == stix.content(first)


def test_the_former_custom_identifier_observables_still_import(api_for, officer_uz, seizure_with_identifiers):
    """Bundles exported before the standard mapping (x-caricc-identifier observables) import as before."""
    bundle = api_for(officer_uz).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").json()
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    del report["extensions"][stix.CARICC_EXTENSION]["identifiers"]
    bundle["objects"] = [o for o in bundle["objects"] if o["type"] != "user-account"]
    legacy = [
        {"type": "x-caricc-identifier", "spec_version": "2.1", "id": f"x-caricc-identifier--{n}", "kind": k, "value": v}
        for n, k, v in (
            ("6f0e8c3a-1d2b-5c4e-9f8a-7b6c5d4e3f21", "plate", "123ABC02"),
            ("7a1f9d4b-2e3c-5d5f-8a9b-8c7d6e5f4a32", "phone", "+77011234567"),
        )
    ]
    bundle["objects"] += legacy
    report["object_refs"] = [o["id"] for o in legacy]
    response = api_for(officer_uz).post("/api/v1/intel/stix/", bundle)
    assert response.status_code == 201, response.content
    imported = IntelRecord.objects.get(pk=response.json()[0]["id"])
    assert sorted(imported.identifiers.values_list("kind", "value")) == [
        ("phone", "+77011234567"),
        ("plate", "123ABC02"),
    ]


def test_out_of_scope_records_are_404_and_lists_hold_only_visible_records(
    api_for, officer_kg, officer_uz, seizure_with_identifiers, make_record, officer_kz
):
    hidden = make_record(officer_kz, recipients=[])
    assert api_for(officer_kg).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").status_code == 404
    bundle = api_for(officer_uz).get("/api/v1/intel/records/stix/", {"kind": "seizure"}).json()
    names = [o["name"] for o in bundle["objects"] if o["type"] == "report"]
    assert names == ["Heroin in a lorry"]
    assert hidden.title not in json.dumps(bundle)
    parse_strictly(bundle)


def test_export_import_export_gives_the_same_content(api_for, officer_kz, officer_uz, seizure_with_identifiers, uz):
    first = api_for(officer_uz).get(f"/api/v1/intel/records/{seizure_with_identifiers.pk}/stix/").json()
    response = api_for(officer_uz).post("/api/v1/intel/stix/", first, HTTP_IDEMPOTENCY_KEY="stix-1")
    assert response.status_code == 201, response.content
    (imported,) = response.json()
    assert imported["originating_state"] == "UZ" and imported["id"] != seizure_with_identifiers.pk
    second = api_for(officer_uz).get(f"/api/v1/intel/records/{imported['id']}/stix/").json()
    parse_strictly(second)
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
