"""The demo data: operations in every status, idempotent, and every page renders on it."""

import pytest
from django.urls import reverse

from members import demo as members_demo
from operations import demo
from operations.choices import Status
from operations.models import JointOperation, TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    context = {"password": "demo-password-123"}
    members_demo.seed(context)
    demo.seed(context)
    return context


def test_the_demo_has_every_status_and_is_idempotent(seeded):
    assert set(JointOperation.objects.values_list("status", flat=True)) == set(Status.values)
    counts = (JointOperation.objects.count(), TransitionLog.objects.count())
    demo.seed(seeded)
    assert (JointOperation.objects.count(), TransitionLog.objects.count()) == counts


def test_every_page_renders_on_the_demo(seeded, client_for):
    users = seeded["users"]
    for username in ("coordinator", "officer-kz", "observer-de", "analyst"):
        client = client_for(users[username])
        for name in ("operation-list", "dashboard", "timeline"):
            assert client.get(reverse(f"operations:{name}")).status_code == 200
        for op in JointOperation.objects.visible_to(users[username]):
            assert client.get(op.get_absolute_url()).status_code == 200
    client = client_for(users["officer-kz"])
    for op in JointOperation.objects.filter(lead_state__code="KZ"):
        for name in ("operation-update", "operation-delivery", "operation-results"):
            assert client.get(reverse(f"operations:{name}", args=[op.pk])).status_code in (200, 403)
    assert client.get(reverse("operations:operation-create")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
