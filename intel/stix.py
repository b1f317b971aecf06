"""STIX 2.1 for intel records (the `stix2` package): export as bundles, import bundles as records.

Mapping (docs/api.md, "STIX 2.1"):
- a record is a `report` (name = title, description = summary, published = created);
  what STIX has no property for (kind, reference, body, evaluation, seizure data with
  its items) sits in the report's property-extension `CARICC_EXTENSION`;
- TLP 2.0: the official FIRST TLP 2.0 marking definitions (their fixed ids), referenced
  from `object_marking_refs`;
- handling code and classification: a marking definition of ours with a
  property-extension, one per (code, classification), deterministic id;
- identifiers: standard STIX objects where one fits, referenced from `object_refs`
  and carrying the portal's kind (and date of birth) in the property-extension
  `IDENTIFIER_EXTENSION`: a person is an `identity` of class `individual`, a company
  an `identity` of class `organization`, a phone (MSISDN) a `user-account` of
  account_type `phone`. STIX 2.1 has no object for the other kinds (passport, IMEI,
  plate, VIN, container, waybill, vessel IMO, IBAN, crypto wallet): they are listed in
  the report's extension (`identifiers`);
- the originating state: an `identity` (organisation), the report's `created_by_ref`.

Every exported bundle parses with a plain `stix2.parse(text)` (allow_custom False) in
a process that registered nothing: only standard objects, and extensions of kind
`property-extension` whose `extension-definition` objects are in the bundle. A new
object type (an `x-...` custom observable, or an extension-definition `new-sco`) would
not: stix2 3.0 accepts an unregistered new-sco on its own but refuses it inside a bundle
("customized ... object found") and in a report's `object_refs` unless the consumer
passes allow_custom=True or registers the class, which a consumer that does not know
the portal cannot do. The import still reads the former `x-caricc-identifier` observables.
"""

from __future__ import annotations

import uuid
from typing import Any

import stix2

NAMESPACE = uuid.UUID("3f1b8f0e-2c35-5d8e-9a53-1c6e1d4f7a16")
CARICC_EXTENSION = "extension-definition--" + str(uuid.uuid5(NAMESPACE, "caricc-record-extension-v1"))
CARICC_MARKING_EXTENSION = "extension-definition--" + str(uuid.uuid5(NAMESPACE, "caricc-handling-marking-v1"))
IDENTIFIER_EXTENSION = "extension-definition--" + str(uuid.uuid5(NAMESPACE, "caricc-identifier-v1"))
# The former export's custom observable type; still read on import.
LEGACY_IDENTIFIER_TYPE = "x-caricc-identifier"
CENTRE_IDENTITY = "identity--" + str(uuid.uuid5(NAMESPACE, "centre"))
EPOCH = "2026-01-01T00:00:00.000Z"

# FIRST TLP 2.0 marking definitions (OASIS common objects, extension-definition--60a3c5c5-...).
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_AUTHOR = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"
TLP2_IDS = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_BY_ID = {v: k for k, v in TLP2_IDS.items()}
REPORT_TYPES = {
    "seizure": ["observed-data"],
    "analysis": ["threat-report"],
    "alert": ["threat-actor"],
    "bulletin": ["threat-report"],
}
SEIZURE_FIELDS = (
    "occurred_at",
    "country",
    "place",
    "place_type",
    "latitude",
    "longitude",
    "route_origin",
    "route_departure",
    "route_transit",
    "route_destination",
    "transport_mode",
    "conveyance",
    "concealment_method",
    "concealment_details",
    "persons_arrested",
)
ITEM_FIELDS = ("substance", "form", "quantity", "unit", "purity")


def tlp_marking(tlp: str) -> stix2.MarkingDefinition:
    return stix2.MarkingDefinition(
        id=TLP2_IDS[tlp],
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{tlp}",
        created_by_ref=TLP2_AUTHOR,
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.lower()}},
    )


def handling_marking(code: str, classification: str) -> stix2.MarkingDefinition:
    return stix2.MarkingDefinition(
        id="marking-definition--" + str(uuid.uuid5(NAMESPACE, f"handling:{code}:{classification}")),
        created=EPOCH,
        name=f"CARICC {code} {classification}",
        created_by_ref=CENTRE_IDENTITY,
        extensions={
            CARICC_MARKING_EXTENSION: {
                "extension_type": "property-extension",
                "handling_code": code,
                "classification": classification,
            }
        },
    )


def _extension_definitions() -> list:
    common = {"created": EPOCH, "created_by_ref": CENTRE_IDENTITY, "version": "1.0.0"}
    return [
        stix2.Identity(id=CENTRE_IDENTITY, created=EPOCH, modified=EPOCH, name="CARICC", identity_class="organization"),
        stix2.ExtensionDefinition(
            id=CARICC_EXTENSION,
            name="CARICC information record",
            schema="https://caricc.org/stix/record-extension-v1",
            extension_types=["property-extension"],
            **common,
        ),
        stix2.ExtensionDefinition(
            id=IDENTIFIER_EXTENSION,
            name="CARICC identifier kind",
            description="On the identity, user-account objects a report refers to: the portal's identifier "
            "kind (person, company, phone) and, for a person, the date of birth.",
            schema="https://caricc.org/stix/identifier-v1",
            extension_types=["property-extension"],
            **common,
        ),
        stix2.ExtensionDefinition(
            id=CARICC_MARKING_EXTENSION,
            name="CARICC handling code and classification",
            schema="https://caricc.org/stix/handling-marking-v1",
            extension_types=["property-extension"],
            **common,
        ),
    ]


def state_identity(code: str | None, name: str) -> stix2.Identity:
    key = f"state:{code}" if code else "centre"
    return stix2.Identity(
        id="identity--" + str(uuid.uuid5(NAMESPACE, key)),
        created=EPOCH,
        modified=EPOCH,
        name=name,
        identity_class="organization",
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # Decimal


def _identifier_dict(kind: str, value: str, date_of_birth) -> dict:
    out = {"kind": kind, "value": value}
    if date_of_birth:
        out["date_of_birth"] = _iso(date_of_birth)
    return out


def identifier_object(kind: str, value: str, date_of_birth=None):
    """The standard STIX 2.1 object for an identifier, or None when STIX has none for its kind."""
    ext = {"extension_type": "property-extension", "kind": kind}
    if kind == "person":
        if date_of_birth:
            ext["date_of_birth"] = _iso(date_of_birth)
        key = f"identifier:person:{value}:{ext.get('date_of_birth', '')}"
        identity_class = "individual"
    elif kind == "company":
        key = f"identifier:company:{value}"
        identity_class = "organization"
    elif kind == "phone":
        # STIX has no phone-number object; a subscriber number is the account of a
        # mobile network (user-account: "any type of user account", open account_type).
        return stix2.UserAccount(account_type="phone", user_id=value, extensions={IDENTIFIER_EXTENSION: ext})
    else:
        return None
    return stix2.Identity(
        id="identity--" + str(uuid.uuid5(NAMESPACE, key)),
        created=EPOCH,
        modified=EPOCH,
        name=value,
        identity_class=identity_class,
        extensions={IDENTIFIER_EXTENSION: ext},
    )


def _identifier_of(obj) -> dict | None:
    """An identifier from an object a report refers to: ours (the identifier extension) or
    the former export's custom observable; None for anything else."""
    if obj.get("type") == LEGACY_IDENTIFIER_TYPE:
        return {k: obj[k] for k in ("kind", "value", "date_of_birth") if k in obj}
    ext = obj.get("extensions", {}).get(IDENTIFIER_EXTENSION)
    if not ext or "kind" not in ext:
        return None
    value = obj.get("user_id") if obj.get("type") == "user-account" else obj.get("name")
    if not value:
        return None
    out = {"kind": ext["kind"], "value": value}
    if ext.get("date_of_birth"):
        out["date_of_birth"] = ext["date_of_birth"]
    return out


def record_objects(record) -> list:
    """The STIX objects of one record (its report, identity, markings and observables)."""
    state = record.originating_state
    author = state_identity(state.code if state else None, state.name_en if state else "CARICC")
    observables = []
    unmapped = []
    for identifier in record.identifiers.all():
        obj = identifier_object(identifier.kind, identifier.value, identifier.date_of_birth)
        if obj is None:
            unmapped.append(_identifier_dict(identifier.kind, identifier.value, identifier.date_of_birth))
        else:
            observables.append(obj)
    markings = [tlp_marking(record.tlp), handling_marking(record.handling_code, record.classification)]
    ext: dict[str, Any] = {
        "extension_type": "property-extension",
        "kind": record.kind,
        "reference": record.reference,
        "body": record.body,
        "handling_note": record.handling_note,
        "source_reliability": record.source_reliability,
        "information_credibility": record.information_credibility,
    }
    if unmapped:
        ext["identifiers"] = unmapped
    seizure = getattr(record, "seizure", None) if record.kind == "seizure" else None
    if seizure is not None:
        ext["seizure"] = {name: _plain(getattr(seizure, name)) for name in SEIZURE_FIELDS}
        ext["items"] = [{name: _plain(getattr(item, name)) for name in ITEM_FIELDS} for item in seizure.items.all()]
    report = stix2.Report(
        id="report--" + str(uuid.uuid5(NAMESPACE, f"record:{record.reference}")),
        created=record.created_at,
        modified=record.updated_at,
        published=record.created_at,
        name=record.title,
        description=record.summary or record.title,
        report_types=REPORT_TYPES.get(record.kind, ["threat-report"]),
        created_by_ref=author.id,
        object_refs=[o.id for o in observables] or [author.id],
        object_marking_refs=[m.id for m in markings],
        extensions={CARICC_EXTENSION: ext},
    )
    return [author, *markings, *observables, report]


def bundle(records) -> stix2.Bundle:
    """One bundle for any number of records; shared objects (markings, identities) appear once."""
    objects: dict[str, Any] = {o.id: o for o in _extension_definitions()}
    for record in records:
        for obj in record_objects(record):
            objects.setdefault(obj.id, obj)
    # No allow_custom: stix2 itself refuses anything a strict consumer could not parse.
    return stix2.Bundle(objects=list(objects.values()))


class ImportError_(ValueError):
    """A bundle that cannot become records; the message says why."""


def parse_bundle(data) -> list[dict]:
    """The records a bundle describes, as input for the seizure / record serializers."""
    try:
        # allow_custom: other producers' bundles may carry custom content (and the
        # former export its x-caricc-identifier observables); what we read is checked below.
        parsed = stix2.parse(data, allow_custom=True)
    except Exception as exc:  # stix2 raises many exception types for bad input
        raise ImportError_(f"Not a valid STIX 2.1 bundle: {exc}") from exc
    if getattr(parsed, "type", None) != "bundle":
        raise ImportError_("Expected a STIX 2.1 bundle.")
    by_id = {o["id"]: o for o in parsed.get("objects", [])}
    out = []
    for obj in by_id.values():
        if obj["type"] != "report":
            continue
        ext = dict(obj.get("extensions", {}).get(CARICC_EXTENSION, {}))
        tlp = next((TLP_BY_ID[m] for m in obj.get("object_marking_refs", []) if m in TLP_BY_ID), None)
        handling = next(
            (
                by_id[m]["extensions"][CARICC_MARKING_EXTENSION]
                for m in obj.get("object_marking_refs", [])
                if m in by_id and CARICC_MARKING_EXTENSION in by_id[m].get("extensions", {})
            ),
            {},
        )
        fields: dict[str, Any] = {
            "kind": ext.get("kind", "general"),
            "title": obj.name,
            "summary": obj.get("description", ""),
            "body": ext.get("body", ""),
            "tlp": tlp,
            "handling_code": handling.get("handling_code"),
            "handling_note": ext.get("handling_note", ""),
            "classification": handling.get("classification"),
            "source_reliability": ext.get("source_reliability"),
            "information_credibility": ext.get("information_credibility"),
            "identifiers": [
                *(i for ref in obj.object_refs if ref in by_id and (i := _identifier_of(by_id[ref])) is not None),
                *(dict(i) for i in ext.get("identifiers", [])),
            ],
        }
        if "seizure" in ext:
            fields["seizure"] = dict(ext["seizure"])
            fields["items"] = [dict(i) for i in ext.get("items", [])]
        out.append({k: v for k, v in fields.items() if v is not None})
    if not out:
        raise ImportError_("The bundle holds no report.")
    return out


def content(bundle_json) -> list[dict]:
    """What a bundle says, without what an import renews (ids, references, timestamps):
    the round-trip test compares this."""
    records = parse_bundle(bundle_json)
    for r in records:
        r["identifiers"] = sorted(r.get("identifiers", []), key=lambda i: (i["kind"], i["value"]))
    return sorted(records, key=lambda r: r["title"])
