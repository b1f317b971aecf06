"""The donor and pledge lists cost the same number of queries at page size 10 and 100."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from donors.models import Payment

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(conference):
    for n in range(125):
        donor = DonorFactory(confidential=n % 10 == 0)
        pledge = make_pledge(donor, amount="100.00", event=conference if n % 2 else None)
        Payment.objects.create(pledge=pledge, value_date=date(2026, 6, 1), amount=Decimal("50"), currency="USD")


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url, key",
    [(reverse("donors:donor-list"), "object_list"), (reverse("donors:pledge-list"), "object_list")],
)
@pytest.mark.parametrize("persona", ["donor_relations", "coordinator"])
def test_ui_lists_cost_the_same_at_10_and_100(request, client_for, many, django_assert_num_queries, url, key, persona):
    client = client_for(request.getfixturevalue(persona))
    client.get(url)  # warm the session
    small = count_queries(lambda: client.get(url, {"page_size": 10}))
    response = None

    def big():
        nonlocal response
        response = client.get(url, {"page_size": 100})

    with django_assert_num_queries(small):
        big()
    assert len(response.context[key]) == 100


@pytest.mark.parametrize("url", ["/api/v1/donors/", "/api/v1/pledges/", "/api/v1/payments/"])
def test_api_lists_cost_the_same_at_10_and_100(api_for, donor_relations, many, django_assert_num_queries, url):
    api = api_for(donor_relations)
    api.get(url)  # the permission caches fill once per user object
    small = count_queries(lambda: api.get(url, {"page_size": 10}))
    with django_assert_num_queries(small):
        response = api.get(url, {"page_size": 100})
    assert len(response.json()["results"]) == 100
    assert response.json()["next"]
