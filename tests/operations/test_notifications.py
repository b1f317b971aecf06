"""E-mail on proposed, approved, rejected and cancelled: to participating officers and coordinators."""

import pytest
from django.core import mail

from operations.choices import Status
from operations.workflow import decide_consent, fire
from tests.factories import UserFactory

from .conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(officer_kz, officer_uz, observer, coordinator, analyst, officer_kg, partner_kz):
    """Everyone who could be mailed; only some of them should be."""
    return {"officer-kz", "officer-uz", "observer-de", "coordinator"}


def _recipients():
    return {address.split("@")[0] for message in mail.outbox for address in message.to}


def test_proposal_is_mailed_to_participating_officers_and_coordinators(
    operation_with_observer, officer_kz, audience, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fire(operation_with_observer, "propose", officer_kz)
    assert _recipients() == audience
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert operation_with_observer.reference in mail.outbox[0].subject
    assert "Proposed" in mail.outbox[0].subject


def test_nothing_is_mailed_if_the_transaction_rolls_back(operation, officer_kz, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fire(operation, "propose", officer_kz)
    # The mail waits for the commit; it is not sent from inside the transaction.
    assert len(callbacks) == 1 and mail.outbox == []


@pytest.mark.parametrize(
    ("name", "source"),
    [("approve", Status.AWAITING_APPROVAL), ("reject", Status.PROPOSED), ("cancel", Status.APPROVED)],
)
def test_approval_rejection_and_cancellation_are_mailed(
    operation_with_observer, coordinator, audience, django_capture_on_commit_callbacks, name, source
):
    advance(operation_with_observer, source, coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fire(operation_with_observer, name, coordinator, "Reason for the record")
    assert _recipients() == audience
    assert "Reason for the record" in mail.outbox[0].body


def test_consents_and_starts_are_not_mailed(
    operation, officer_kz, officer_uz, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fire(operation, "propose", officer_kz)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_consent(operation, officer_uz, "granted")
    assert mail.outbox == []


def test_inactive_users_are_not_mailed(operation, officer_kz, officer_uz, django_capture_on_commit_callbacks):
    officer_uz.is_active = False
    officer_uz.save()
    UserFactory(username="retired-coordinator", is_active=False, roles=["Coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        fire(operation, "propose", officer_kz)
    assert _recipients() == {"officer-kz"}
