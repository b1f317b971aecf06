"""An API query parameter sent empty is a 400 naming it, not "no filter" (issue 16, the
schemathesis negative_data_rejection check); the UI's lists keep reading empty as "any"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

EMPTY = "This parameter may not be empty."


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/intel/records/", "created_before"),  # a date
        ("/api/v1/intel/records/", "status"),  # an enum
        ("/api/v1/intel/records/", "inbox"),  # a boolean
        ("/api/v1/intel/records/", "q"),  # free text (minLength 1 in the schema)
        ("/api/v1/intel/records/", "updated_since"),
        ("/api/v1/intel/records/", "cursor"),
        ("/api/v1/intel/records/", "page_size"),
        ("/api/v1/operations/", "archived"),
        ("/api/v1/reports/", "scheduled"),
    ],
)
def test_an_empty_parameter_is_refused_naming_it(api_for, officer_kz, path, param):
    client = api_for(officer_kz)
    assert client.get(path).status_code == 200
    for blank in ("", "  "):
        response = client.get(path, {param: blank})
        assert response.status_code == 400, (param, blank, response.content)
        assert response.json() == {param: [EMPTY]}


def test_the_partner_token_gets_the_same_answer(partner_api):
    response = partner_api.get("/api/v1/intel/records/", {"created_before": "", "kind": ""})
    assert response.status_code == 400
    assert response.json() == {"created_before": [EMPTY], "kind": [EMPTY]}


def test_the_message_is_translated(api_for, officer_kz):
    client = api_for(officer_kz)
    response = client.get("/api/v1/intel/records/", {"status": ""}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    with translation.override("ru"):
        assert response.json()["status"] != [EMPTY]


def test_filled_filters_still_filter(api_for, officer_kz):
    client = api_for(officer_kz)
    for params in ({"created_before": "2026-12-01"}, {"inbox": "false"}, {"page_size": "5"}):
        assert client.get("/api/v1/intel/records/", params).status_code == 200, params


def test_the_schema_says_free_text_parameters_are_not_empty(api_for, officer_kz):
    schema = api_for(officer_kz).get("/api/schema/", {"format": "json"}).json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/intel/records/"]["get"]["parameters"]}
    assert params["q"]["minLength"] == 1
    assert params["cursor"]["minLength"] == 1
    assert "minLength" not in params["created_before"]  # a date excludes "" by its format


def test_the_ui_list_still_accepts_empty_filters(client_for, officer_kz):
    client = client_for(officer_kz)
    params = {"q": "", "kind": "", "status": "", "created_after": "", "created_before": "", "inbox": "", "tlp": ""}
    assert client.get(reverse("intel:record-list"), params).status_code == 200


def test_a_list_field_refuses_an_object(api_for, officer_kz, uz):
    """`shared_with: {}` was read as an empty list (DRF's ManyRelatedField takes any iterable)."""
    client = api_for(officer_kz)
    response = client.post("/api/v1/notices/", {"title": "T", "body": "", "shared_with": {}}, format="json")
    assert response.status_code == 400
    assert "shared_with" in response.json()
    ok = client.post("/api/v1/notices/", {"title": "T", "body": "", "shared_with": ["UZ"]}, format="json")
    assert ok.status_code == 201, ok.content


def test_text_must_be_a_string(api_for, officer_kz):
    """DRF's CharField read `"body": 0` as "0"; the schema says a string."""
    response = api_for(officer_kz).post("/api/v1/notices/", {"title": "T", "body": 0}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
