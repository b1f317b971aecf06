"""The demo data: bilateral, all-members and members+observers records, open and
overdue requests, a hit; idempotent; every page renders on it."""

import pytest
from django.db import connection
from django.urls import reverse

from intel import demo
from intel.models import IntelRecord, RequestForInformation
from members import demo as members_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    context = {"password": "demo-password-123"}
    members_demo.seed(context)
    demo.seed(context)
    return context


def test_the_demo_is_varied_and_idempotent(seeded):
    users = seeded["users"]
    counts = (IntelRecord.objects.count(), RequestForInformation.objects.count())
    demo.seed(seeded)
    assert (IntelRecord.objects.count(), RequestForInformation.objects.count()) == counts
    assert any(r.is_overdue for r in RequestForInformation.objects.all())
    assert any(not r.is_overdue for r in RequestForInformation.objects.all())
    assert IntelRecord.objects.filter(kind="response").exists()
    observer_sees = set(IntelRecord.objects.visible_to(users["observer-de"]).values_list("title", flat=True))
    assert observer_sees == {"Cocaine in a container at Saint Petersburg"}
    assert IntelRecord.objects.visible_to(users["officer-uz"]).count() < IntelRecord.objects.count()


def test_every_page_renders_on_the_demo(seeded, client_for):
    users = seeded["users"]
    for username in ("coordinator", "analyst", "officer-kz", "officer-uz", "observer-de"):
        client = client_for(users[username])
        for name in ("intel:inbox", "intel:record-list", "intel:my-records", "intel:search"):
            assert client.get(reverse(name)).status_code == 200
        for record in IntelRecord.objects.visible_to(users[username]):
            assert client.get(record.get_absolute_url()).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_full_text_search_has_its_gin_index():
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'intel_record_search_gin'")
        (definition,) = cur.fetchone()
    assert "USING gin (search_vector)" in definition
