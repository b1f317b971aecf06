"""The operation list (UI and API) costs the same number of queries at 10 and 100 rows, and the
operation page and API detail the same with 2 or 12 route legs, seizures and more transitions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations.choices import ParticipantRole, Status
from operations.models import ControlledDelivery, ResultSeizure, RouteLeg
from operations.workflow import fire

from .conftest import advance, build_operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def hundred_operations(officer_kz, officer_uz, uz, kg, de):
    for i in range(100):
        build_operation(
            officer_kz,
            {uz: ParticipantRole.PARTICIPANT, kg: ParticipantRole.TRANSIT, de: ParticipantRole.OBSERVER},
            code_name=f"Op {i}",
        )


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
def test_ui_list_queries_do_not_grow_with_the_page(
    request, client_for, hundred_operations, django_assert_num_queries, persona
):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("operations:operation-list")
    client.get(url)  # warm the session and permission caches
    small = _count(lambda: client.get(url, {"page_size": 10}))
    with django_assert_num_queries(small):
        response = client.get(url, {"page_size": 100})
    assert response.content.count(b"<tr>") == 101


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
def test_api_list_queries_do_not_grow_with_the_page(
    request, api_for, hundred_operations, django_assert_num_queries, persona
):
    api = api_for(request.getfixturevalue(persona))
    api.get("/api/v1/operations/")
    small = _count(lambda: api.get("/api/v1/operations/", {"page_size": 10}))
    with django_assert_num_queries(small):
        response = api.get("/api/v1/operations/", {"page_size": 100})
    assert len(response.json()["results"]) == 100
    assert len(response.json()["results"][0]["participants"]) == 4


def _add_route_and_seizures(op, lead, states, n: int) -> None:
    """`n` route legs and `n` seizures, each naming a state, so a missing prefetch shows."""
    delivery, _ = ControlledDelivery.objects.get_or_create(operation=op, defaults={"consignment_description": "Heroin"})
    start = delivery.legs.count()
    for i in range(start, start + n):
        RouteLeg.objects.create(delivery=delivery, order=i + 1, from_state=states[i % 2], to_state=states[(i + 1) % 2])
        ResultSeizure.objects.create(
            operation=op,
            state=states[i % 2],
            seized_on=timezone.localdate(),
            substance="heroin",
            quantity=Decimal("1"),
            unit="kg",
            created_by=lead,
        )


def test_detail_queries_do_not_grow_with_route_seizures_and_timeline(
    client_for, api_for, officer_kz, officer_uz, coordinator, kz, uz, django_assert_num_queries
):
    op = advance(build_operation(officer_kz, {uz: ParticipantRole.PARTICIPANT}), Status.ACTIVE, coordinator)
    _add_route_and_seizures(op, officer_kz, [kz, uz], 2)
    client, api = client_for(officer_kz), api_for(officer_kz)
    page_url, api_url = op.get_absolute_url(), f"/api/v1/operations/{op.pk}/"
    client.get(page_url)
    api.get(api_url)
    page_small, api_small = _count(lambda: client.get(page_url)), _count(lambda: api.get(api_url))

    _add_route_and_seizures(op, officer_kz, [kz, uz], 10)
    fire(op, "suspend", officer_kz, "Weather")
    fire(op, "resume", officer_kz)
    with django_assert_num_queries(page_small):
        response = client.get(page_url)
    assert len(response.context["seizures"]) == 12
    with django_assert_num_queries(api_small):
        response = api.get(api_url)
    body = response.json()
    assert (len(body["seizures"]), len(body["controlled_delivery"]["legs"])) == (12, 12)
