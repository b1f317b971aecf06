"""The operation list (UI and API) costs the same number of queries at 10 and 100 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.choices import ParticipantRole

from .conftest import build_operation

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
