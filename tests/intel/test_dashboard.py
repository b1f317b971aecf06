"""The seizure dashboard: a map and monthly trends of the seizures a user may see."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from intel import services
from intel.models import SeizureReport
from tests.intel.conftest import MARKINGS

pytestmark = pytest.mark.django_db


def _seizure(author, recipients=(), lat=43.25, lon=76.9, substance="heroin", kg="5", place="Khorgos"):
    record = services.create_seizure(
        user=author,
        fields={"title": "Seizure", **MARKINGS},
        seizure={
            "occurred_at": timezone.now(),
            "country": author.state.code,
            "place": place,
            "place_type": "border",
            "latitude": Decimal(str(lat)),
            "longitude": Decimal(str(lon)),
        },
        items=[{"substance": substance, "form": "powder", "quantity": Decimal(kg), "unit": "kg"}],
        recipients=recipients,
    )
    return record


def _data(response, name):
    html = response.content.decode()
    start = html.index(f'id="{name}"')
    payload = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(payload)


def test_the_map_shows_the_seizures_the_user_may_see_and_no_other(client_for, officer_kz, officer_uz, uz):
    shared = _seizure(officer_kz, recipients=[uz], place="Shared post")
    _seizure(officer_kz, place="Kazakh only post")
    response = client_for(officer_uz).get("/intel/dashboard/")
    assert response.status_code == 200
    points = _data(response, "map-points")["points"]
    assert [p["reference"] for p in points] == [shared.reference]
    assert points[0]["lat"] == pytest.approx(43.25)
    assert points[0]["substances"]
    assert "Kazakh only post" not in response.content.decode()


def test_the_map_and_trends_follow_the_inbox_filters(client_for, officer_kz):
    _seizure(officer_kz, substance="heroin", kg="5")
    _seizure(officer_kz, substance="cannabis_resin", kg="7")
    response = client_for(officer_kz).get("/intel/dashboard/?substance=heroin")
    points = _data(response, "map-points")["points"]
    assert len(points) == 1
    trends = _data(response, "trend-data")
    assert set(trends["series"]) == {"Heroin"}
    assert sum(trends["series"]["Heroin"]) == pytest.approx(5.0)
    assert len(trends["months"]) == 12


def test_trends_add_up_kilograms_per_month_and_substance(client_for, officer_kz):
    _seizure(officer_kz, kg="5")
    _seizure(officer_kz, kg="2.5")
    trends = _data(client_for(officer_kz).get("/intel/dashboard/"), "trend-data")
    assert trends["series"]["Heroin"][-1] == pytest.approx(7.5)


def test_a_seizure_without_coordinates_is_counted_in_trends_but_not_drawn(client_for, officer_kz):
    record = _seizure(officer_kz)
    SeizureReport.objects.filter(record=record).update(latitude=None, longitude=None)
    response = client_for(officer_kz).get("/intel/dashboard/")
    assert _data(response, "map-points")["points"] == []
    assert sum(_data(response, "trend-data")["series"]["Heroin"]) == pytest.approx(5.0)


def test_the_dashboard_costs_the_same_queries_with_more_seizures(client_for, officer_kz):
    client = client_for(officer_kz)
    _seizure(officer_kz)
    client.get("/intel/dashboard/")  # warm the per-process caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/intel/dashboard/")
    for _ in range(5):
        _seizure(officer_kz)
    with CaptureQueriesContext(connection) as many:
        client.get("/intel/dashboard/")
    assert len(many) == len(few)


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/intel/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
