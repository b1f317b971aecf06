"""Helpers for the intel tests: records made through the same services as the UI and API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from intel import services
from members.models import State
from tests.factories import StateFactory

MARKINGS = {
    "tlp": "AMBER",
    "handling_code": "H0",
    "classification": "restricted",
    "source_reliability": "B",
    "information_credibility": "2",
}

SEIZURE_PAYLOAD = {
    "title": "Heroin at the border",
    "summary": "A lorry with heroin",
    "body": "Found behind the cabin wall.",
    **MARKINGS,
    "seizure": {
        "occurred_at": "2026-11-20T10:00:00+05:00",
        "country": "KZ",
        "place": "Zhibek Zholy",
        "place_type": "border",
        "route_origin": "AF",
        "route_transit": ["TJ", "UZ"],
        "route_destination": "RU",
        "transport_mode": "road",
        "persons_arrested": 2,
    },
    "items": [{"substance": "heroin", "form": "powder", "quantity": "12.500", "unit": "kg", "purity": "60"}],
}


@pytest.fixture
def ru(db) -> State:
    return StateFactory(code="RU", name_en="Russian Federation", name_ru="Россия", status=State.Status.MEMBER)


@pytest.fixture
def make_record():
    """`make_record(author, recipients=[...], shortcut="", kind="general", **fields)`."""

    def _make(author, recipients=(), shortcut="", identifiers=(), **fields):
        data = {"title": "A record", "kind": "general", **MARKINGS, **fields}
        return services.create_record(
            user=author, fields=data, recipients=recipients, shortcut=shortcut, identifiers=identifiers
        )

    return _make


def create_seizure(author, substances=("heroin",), quantity="5", recipients=(), shortcut="", identifiers=(), **fields):
    """A seizure record through the service, one item of `quantity` kg per substance."""
    return services.create_seizure(
        user=author,
        fields={"title": "Seizure", **MARKINGS, **fields},
        seizure={
            "occurred_at": timezone.now(),
            "country": author.state.code,
            "place": "Border post",
            "place_type": "border",
        },
        items=[{"substance": s, "form": "powder", "quantity": Decimal(quantity), "unit": "kg"} for s in substances],
        recipients=recipients,
        shortcut=shortcut,
        identifiers=identifiers,
    )


@pytest.fixture
def make_seizure():
    def _make(author, recipients=(), shortcut="", identifiers=(), **fields):
        return create_seizure(author, recipients=recipients, shortcut=shortcut, identifiers=identifiers, **fields)

    return _make
