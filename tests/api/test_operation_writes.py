"""Results, result seizures and the controlled delivery written through the API, with the UI's rules."""

from __future__ import annotations

import pytest

from operations.choices import ParticipantRole, Status
from operations.models import ControlledDelivery, JointOperation
from tests.operations.conftest import build_operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(officer_kz, officer_uz, uz):
    return build_operation(officer_kz, {uz: ParticipantRole.PARTICIPANT})


def test_the_lead_writes_the_controlled_delivery_and_its_legs(api_for, officer_kz, operation):
    url = f"/api/v1/operations/{operation.pk}/controlled-delivery/"
    body = {
        "consignment_description": "Heroin in a lorry",
        "substitution": "partial",
        "tracker_identifiers": "GPS-1\nGPS-2",
        "legs": [{"order": 1, "from_state": "KZ", "to_state": "UZ", "handover_point": "Zhibek Zholy"}],
    }
    response = api_for(officer_kz).put(url, body)
    assert response.status_code == 200, response.content
    assert response.json()["trackers"] == ["GPS-1", "GPS-2"]
    assert [(leg["from_state"], leg["to_state"]) for leg in response.json()["legs"]] == [("KZ", "UZ")]
    detail = api_for(officer_kz).get(f"/api/v1/operations/{operation.pk}/").json()
    assert detail["controlled_delivery"]["legs"][0]["handover_point"] == "Zhibek Zholy"


def test_a_leg_is_validated_like_the_form(api_for, officer_kz, operation):
    url = f"/api/v1/operations/{operation.pk}/controlled-delivery/"
    body = {"substitution": "intact", "legs": [{"order": 1, "from_state": "KZ", "to_state": "KZ"}]}
    response = api_for(officer_kz).put(url, body)
    assert response.status_code == 400
    assert "to_state" in response.json()["legs"][0]


def test_a_delivery_without_its_substitution_is_refused_with_the_field_named(api_for, officer_kz, operation):
    url = f"/api/v1/operations/{operation.pk}/controlled-delivery/"
    for body in ({"consignment_description": "0", "legs": []}, {"substitution": "swapped"}):
        response = api_for(officer_kz).put(url, body)
        assert response.status_code == 400 and "substitution" in response.json(), response.content
    assert not ControlledDelivery.objects.filter(operation=operation).exists()


def test_another_state_gets_404(api_for, officer_kg, operation):
    for path in ("controlled-delivery", "results"):
        assert api_for(officer_kg).put(f"/api/v1/operations/{operation.pk}/{path}/", {}).status_code == 404


def test_results_and_seizures_once_the_operation_runs(api_for, officer_kz, operation):
    client = api_for(officer_kz)
    url = f"/api/v1/operations/{operation.pk}/results/"
    assert client.put(url, {"arrests": 3}).status_code == 403  # a draft has no results yet
    JointOperation.objects.filter(pk=operation.pk).update(status=Status.ACTIVE)
    response = client.put(url, {"arrests": 3, "groups_dismantled": 1, "cash_currency": "usd"})
    assert response.status_code == 200, response.content
    assert response.json()["arrests"] == 3 and response.json()["cash_currency"] == "USD"
    seizure = client.post(
        f"/api/v1/operations/{operation.pk}/result-seizures/",
        {"state": "UZ", "seized_on": "2026-11-20", "substance": "heroin", "quantity": "4.5", "unit": "kg"},
    )
    assert seizure.status_code == 201, seizure.content
    assert seizure.json()["state"] == "UZ"
    outsider = client.post(
        f"/api/v1/operations/{operation.pk}/result-seizures/",
        {"state": "KG", "seized_on": "2026-11-20", "substance": "heroin", "quantity": "1", "unit": "kg"},
    )
    assert outsider.status_code == 400 and "state" in outsider.json()
