"""A controlled delivery's route drawn on the offline map of the operation page."""

from __future__ import annotations

import json

import pytest

from operations.models import ControlledDelivery, RouteLeg

pytestmark = pytest.mark.django_db


def _route_data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="route-data"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_the_route_is_drawn_from_state_to_state_by_iso_numeric_code(client_for, operation, officer_kz, kz, uz):
    delivery = ControlledDelivery.objects.create(operation=operation, consignment_description="Heroin")
    RouteLeg.objects.create(delivery=delivery, order=1, from_state=uz, to_state=kz, handover_point="Zhibek Zholy")
    response = client_for(officer_kz).get(operation.get_absolute_url())
    assert response.status_code == 200
    legs = _route_data(response)["legs"]
    assert legs == [
        {
            "order": 1,
            "from_name": str(uz.name),
            "to_name": str(kz.name),
            "from_numeric": "860",
            "to_numeric": "398",
            "handover_point": "Zhibek Zholy",
        }
    ]
    assert 'data-testid="route-map"' in response.content.decode()


def test_an_operation_without_legs_has_no_map(client_for, operation, officer_kz):
    ControlledDelivery.objects.create(operation=operation, consignment_description="Heroin")
    response = client_for(officer_kz).get(operation.get_absolute_url())
    assert 'data-testid="route-map"' not in response.content.decode()
