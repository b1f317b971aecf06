"""A state's status history and the liaison-officer directory in the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from members.models import State

pytestmark = pytest.mark.django_db


def test_the_status_history_of_a_state(api_for, officer_uz, kz, coordinator):
    kz.status = State.Status.FORMER
    kz.save(changed_by=coordinator, status_note="Left the agreement")
    rows = api_for(officer_uz).get("/api/v1/state-status-changes/", {"state__code": "KZ"}).json()["results"]
    assert [(r["state"], r["new_status"], r["note"]) for r in rows][-1] == ("KZ", "former", "Left the agreement")
    assert {r["state"] for r in rows} == {"KZ"}


def test_the_liaison_officer_directory(api_for, partner_api, officer_kz, officer_uz):
    rows = partner_api.get("/api/v1/liaison-officers/", {"state__code": "UZ"}).json()["results"]
    assert [(r["username"], r["state"]) for r in rows] == [(officer_uz.username, "UZ")]
    all_rows = api_for(officer_kz).get("/api/v1/liaison-officers/").json()["results"]
    # Partner systems and centre staff are not liaison officers.
    assert {r["username"] for r in all_rows} == {officer_kz.username, officer_uz.username}


def test_anonymous_callers_are_refused(officer_uz):
    assert APIClient().get("/api/v1/liaison-officers/").status_code in (401, 403)
