"""Home panels count through visible_to and fit the role."""

import pytest
from django.urls import reverse

from operations.choices import Status
from operations.workflow import fire

from .conftest import advance

pytestmark = pytest.mark.django_db


def _panels(client):
    return {str(p["title"]): p.get("value") for p in client.get(reverse("home")).context["panels"]}


def test_a_participant_is_asked_for_consent(client_for, operation, officer_kz, officer_uz, officer_kg):
    fire(operation, "propose", officer_kz)
    assert _panels(client_for(officer_uz))["Consent requested"] == 1
    assert _panels(client_for(officer_kz))["Consent requested"] == 0  # proposing was Kazakhstan's consent
    assert _panels(client_for(officer_kg))["Consent requested"] == 0  # not a participant


def test_coordinators_see_what_awaits_approval(client_for, operation, coordinator, officer_kg):
    advance(operation, Status.AWAITING_APPROVAL, coordinator)
    assert _panels(client_for(coordinator))["Awaiting approval"] == 1
    advance(operation, Status.ACTIVE, coordinator)
    assert _panels(client_for(coordinator))["Running operations"] == 1
    assert _panels(client_for(officer_kg))["Running operations"] == 0


def test_no_operations_panel_for_donor_relations(client_for, donor_relations):
    assert not any(k in _panels(client_for(donor_relations)) for k in ("Running operations", "Awaiting approval"))
