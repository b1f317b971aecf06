"""Seizure reports through the API: one or many per call, idempotent, all or nothing."""

import copy

import pytest

from core.models import IdempotencyKey
from intel.models import IntelRecord, SeizureItem

from .conftest import SEIZURE_PAYLOAD

pytestmark = pytest.mark.django_db
URL = "/api/v1/intel/seizures/"


def payload(**changes):
    data = copy.deepcopy(SEIZURE_PAYLOAD)
    data.update(changes)
    return data


def test_the_same_idempotency_key_twice_creates_one_record(partner_api, uz):
    first = partner_api.post(URL, payload(share_with=["UZ"]), format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    second = partner_api.post(URL, payload(share_with=["UZ"]), format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert IntelRecord.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    third = partner_api.post(URL, payload(), format="json", HTTP_IDEMPOTENCY_KEY="other")
    assert third.status_code == 201 and IntelRecord.objects.count() == 2


def test_a_list_is_created_in_one_call(partner_api, kz):
    response = partner_api.post(URL, [payload(title="One"), payload(title="Two")], format="json")
    assert response.status_code == 201
    assert [r["title"] for r in response.json()] == ["One", "Two"]
    assert set(IntelRecord.objects.values_list("originating_state__code", flat=True)) == {"KZ"}


def item(**changes):
    return [{**SEIZURE_PAYLOAD["items"][0], **changes}]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": item(substance="unobtainium")}, "items"),
        ({"items": item(quantity="-5")}, "items"),
        ({"items": [{k: v for k, v in SEIZURE_PAYLOAD["items"][0].items() if k != "unit"}]}, "items"),
        ({"items": []}, "items"),
        ({"tlp": "PURPLE"}, "tlp"),
        ({"handling_code": "H3", "handling_note": ""}, "handling_note"),
        ({"share_with": ["ZZ"]}, "share_with"),
    ],
    ids=[
        "unknown substance",
        "negative quantity",
        "quantity without unit",
        "no items",
        "bad tlp",
        "H3 no text",
        "unknown state",
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(partner_api, changes, field):
    response = partner_api.post(URL, payload(**changes), format="json", HTTP_IDEMPOTENCY_KEY=f"k-{field}")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not IntelRecord.objects.exists() and not SeizureItem.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_one_bad_report_in_a_list_saves_none(partner_api):
    response = partner_api.post(URL, [payload(), payload(items=item(quantity="-1"))], format="json")
    assert response.status_code == 400
    assert not IntelRecord.objects.exists()


def test_a_user_without_a_state_cannot_file(api_for, coordinator):
    response = api_for(coordinator).post(URL, payload(), format="json")
    assert response.status_code == 403
    assert not IntelRecord.objects.exists()


def test_kg_equivalent_is_computed_where_the_unit_allows(partner_api):
    response = partner_api.post(
        URL,
        payload(
            items=[
                {"substance": "heroin", "form": "powder", "quantity": "1500", "unit": "g"},
                {"substance": "methamphetamine", "form": "tablet", "quantity": "200", "unit": "tablets"},
            ]
        ),
        format="json",
    )
    items = response.json()["seizure"]["items"]
    assert [i["kg_equivalent"] for i in items] == ["1.500", None]
