"""Idempotency keys bound to their request and expiring; validation at the door."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.models import IdempotencyKey
from core.tasks import purge_expired_keys
from intel.models import IntelRecord
from reports.models import ReportRequest
from tests.intel.conftest import SEIZURE_PAYLOAD

pytestmark = pytest.mark.django_db
SEIZURES = "/api/v1/intel/seizures/"


def payload(**seizure):
    data = copy.deepcopy(SEIZURE_PAYLOAD)
    data["seizure"].update(seizure)
    return data


def test_a_different_body_under_a_used_key_answers_422_and_creates_nothing(partner_api, kz):
    first = partner_api.post(SEIZURES, payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    other = partner_api.post(SEIZURES, payload(place="Another post"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert other["Content-Type"].startswith("application/json")
    assert "Idempotency-Key" in other.json()["detail"]
    assert IntelRecord.objects.count() == 1
    again = partner_api.post(SEIZURES, payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert IntelRecord.objects.count() == 1


def test_keys_expire_after_24_hours_and_are_purged(partner_api, kz):
    assert partner_api.post(SEIZURES, payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        # Expired: ignored on lookup, so the same key makes a new record...
        response = partner_api.post(SEIZURES, payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
        assert response.status_code == 201
        assert IntelRecord.objects.count() == 2
    with time_machine.travel(timezone.now() + dt.timedelta(hours=50)):
        # ...and the hourly clean-up forgets every expired key.
        assert purge_expired_keys.apply().get()["idempotency_keys"] == 1
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    ("seizure", "field"),
    [
        ({"occurred_at": "2999-01-01T10:00:00+05:00"}, "occurred_at"),
        ({"route_transit": ["TJ", "ZZ"]}, "route_transit"),
        ({"country": "ZZ"}, "country"),
        ({"route_origin": "XX"}, "route_origin"),
    ],
    ids=["dated 2999", "transit ZZ", "country ZZ", "origin XX"],
)
def test_the_api_refuses_future_dates_and_unknown_countries(partner_api, kz, seizure, field):
    response = partner_api.post(SEIZURES, payload(**seizure), format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())  # named, whether under "seizure" or at the top
    assert not IntelRecord.objects.exists()


def test_a_clock_a_few_hours_ahead_is_tolerated(partner_api, kz):
    ahead = (timezone.now() + dt.timedelta(hours=6)).isoformat()
    assert partner_api.post(SEIZURES, payload(occurred_at=ahead), format="json").status_code == 201


def test_a_report_period_outside_the_datas_years_is_refused_at_the_door(api_for, client_for, officer_kz):
    period = {"date_from": "9990-01-01", "date_to": "9999-12-31", "states": []}
    response = api_for(officer_kz).post(
        "/api/v1/reports/", {"kind": "seizure_statistics", "format": "csv", "parameters": period}, format="json"
    )
    assert response.status_code == 400
    assert "parameters.date_from" in response.json()
    page = client_for(officer_kz).post(
        "/reports/", {"kind": "seizure_statistics", "format": "csv", "date_from": "9990-01-01", "date_to": "9999-12-31"}
    )
    assert page.status_code == 400
    assert "Choose a date between 2000 and" in page.content.decode()
    assert not ReportRequest.objects.exists()
