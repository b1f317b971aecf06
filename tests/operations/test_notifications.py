"""Operation transitions reach people through the notifications app (one path):
consent asked of the states that owe it, approval of the coordinators, news for the participants."""

import pytest
from django.core import mail

from notifications.events import Event
from notifications.models import Notification
from operations.choices import Status
from operations.workflow import decide_consent, fire, notifications_suppressed

from .conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(officer_kz, officer_uz, observer, coordinator, analyst, officer_kg, partner_kz):
    return None


def told(event):
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


def test_a_proposal_asks_the_consenting_states_only(
    operation_with_observer, officer_kz, everyone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fire(operation_with_observer, "propose", officer_kz)
    # The lead consents by proposing; the observer follows but does not consent.
    assert told(Event.CONSENT_NEEDED) == {"officer-uz"}
    assert [m.to for m in mail.outbox] == [["officer-uz@example.org"]]
    assert operation_with_observer.reference in mail.outbox[0].subject


def test_the_last_consent_asks_the_coordinators_to_approve(operation, officer_kz, officer_uz, coordinator, analyst):
    fire(operation, "propose", officer_kz)
    decide_consent(operation, officer_uz, "granted")
    assert told(Event.APPROVAL_NEEDED) == {"coordinator"}


@pytest.mark.parametrize(
    ("name", "source", "target"),
    [
        ("approve", Status.AWAITING_APPROVAL, Status.APPROVED),
        ("reject", Status.PROPOSED, Status.REJECTED),
        ("start", Status.APPROVED, Status.ACTIVE),
        ("suspend", Status.ACTIVE, Status.SUSPENDED),
        ("cancel", Status.APPROVED, Status.CANCELLED),
    ],
)
def test_status_changes_tell_every_participating_state_but_not_the_actor(
    operation_with_observer, coordinator, everyone, name, source, target
):
    advance(operation_with_observer, source, coordinator)
    Notification.objects.all().delete()
    fire(operation_with_observer, name, coordinator, "Reason for the record")
    assert told(Event.OPERATION_STATUS) == {"officer-kz", "officer-uz", "observer-de"}
    n = Notification.objects.filter(event=Event.OPERATION_STATUS).first()
    assert n.detail == target
    assert "Reason for the record" not in n.message


def test_completion_tells_the_participants(operation, coordinator, officer_uz):
    advance(operation, Status.ACTIVE, coordinator)
    Notification.objects.all().delete()
    advance(operation, Status.COMPLETED, coordinator)
    assert "officer-uz" in told(Event.OPERATION_STATUS)


def test_nothing_is_mailed_if_the_transaction_rolls_back(operation, officer_kz, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fire(operation, "propose", officer_kz)
    assert len(callbacks) == 1 and mail.outbox == []


def test_demo_loading_tells_nobody(operation, officer_kz):
    with notifications_suppressed():
        fire(operation, "propose", officer_kz)
    assert not Notification.objects.exists()


def test_a_notification_about_an_operation_is_read_through_its_visibility(
    operation, officer_kz, officer_uz, officer_kg, uz
):
    fire(operation, "propose", officer_kz)
    n = Notification.objects.get(user=officer_uz)
    assert Notification.objects.readable_by(officer_uz).filter(pk=n.pk).exists()
    # Uzbekistan leaves the operation: the notification goes with its visibility.
    operation.unshare([uz])
    assert not Notification.objects.readable_by(officer_uz).filter(pk=n.pk).exists()


def test_a_material_change_asks_for_consent_again(operation, officer_kz, officer_uz):
    from operations.services import update_operation

    fire(operation, "propose", officer_kz)
    update_operation(operation, officer_kz, {"objective": "Follow the consignment to Moscow instead."})
    assert Notification.objects.filter(event=Event.CONSENT_NEEDED, user=officer_uz).count() == 2
    assert not Notification.objects.filter(event=Event.CONSENT_NEEDED, user=officer_kz).exists()
