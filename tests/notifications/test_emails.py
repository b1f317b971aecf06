"""E-mail: by preference (at once, digest, never), in the reader's language, references only."""

from __future__ import annotations

import pytest
from django.core import mail

from intel import services
from notifications.events import EventGroup
from notifications.models import Preference
from notifications.tasks import send_digests

pytestmark = pytest.mark.django_db


def test_a_russian_reader_gets_the_mail_in_russian_and_without_the_content(
    make_record, officer_kz, officer_uz, officer_uz2, uz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(officer_kz, recipients=[uz], tlp="RED", title="Convoy route", summary="Via Termez")
    by_reader = {m.to[0]: m for m in mail.outbox}
    ru, en = by_reader["officer-uz-2@example.org"], by_reader["officer-uz@example.org"]
    assert "Запись" in ru.body and record.reference in ru.subject and record.reference in ru.body
    assert "shared with your state" in en.body
    for message in (ru, en):
        assert "Convoy route" not in message.subject + message.body
        assert "Via Termez" not in message.body
        assert "/notifications/" in message.body


def test_never_and_digest_preferences(
    make_record, officer_kz, officer_uz, officer_uz2, uz, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=officer_uz, group=EventGroup.EXCHANGE, delivery=Preference.Delivery.NEVER)
    Preference.objects.create(user=officer_uz2, group=EventGroup.EXCHANGE, delivery=Preference.Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        make_record(officer_kz, recipients=[uz])
        make_record(officer_kz, recipients=[uz], title="second")
    assert mail.outbox == []
    assert send_digests() == 1
    assert [m.to for m in mail.outbox] == [["officer-uz-2@example.org"]]
    assert "2" in mail.outbox[0].subject
    assert send_digests() == 0


def test_no_mail_once_access_was_withdrawn(make_record, officer_kz, officer_uz, uz, django_capture_on_commit_callbacks):
    Preference.objects.create(user=officer_uz, group=EventGroup.EXCHANGE, delivery=Preference.Delivery.DIGEST)
    record = make_record(officer_kz, recipients=[uz])
    services.set_dissemination(user=officer_kz, record=record, states=[])
    send_digests()
    # Only the withdrawal notice (reference, no link) is mailed; the shared one is gone.
    assert len(mail.outbox) == 1 and "no longer shared" in mail.outbox[0].body


def test_the_preferences_page_sets_language_and_delivery(officer_uz, client_for):
    client = client_for(officer_uz)
    assert client.get("/notifications/preferences/").status_code == 200
    data = {"language": "ru", **{f"group_{g}": "digest" for g in EventGroup.values}}
    assert client.post("/notifications/preferences/", data).status_code == 302
    officer_uz.refresh_from_db()
    assert officer_uz.language == "ru"
    assert Preference.delivery_for(officer_uz.pk, EventGroup.OPERATIONS) == "digest"


def test_the_mail_tasks_go_to_the_notify_queue():
    from caricc_portal.celery import app

    for name in ("send_immediate", "send_digests", "remind_reviews"):
        route = app.amqp.router.route({}, f"notifications.tasks.{name}")
        assert route["queue"].name == "notify"
