"""The daily reminder task, on a frozen clock: the right days, no more than the maximum, idempotent."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from donors.choices import InstalmentStatus, ObligationStatus
from donors.models import Agreement, Instalment, ReminderLog, ReportingObligation
from donors.tasks import send_reminders

from .conftest import make_pledge

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
DUE = date(2026, 5, 20)


def run_on(day: date) -> dict:
    # Early morning in Almaty: still the previous day in UTC, which must not matter.
    with time_machine.travel(datetime(day.year, day.month, day.day, 2, 30, tzinfo=ALMATY), tick=False):
        return send_reminders.delay().get()


@pytest.fixture
def reminder_settings(settings):
    settings.DONORS_REMINDER_DAYS_BEFORE = 7
    settings.DONORS_REMINDER_EVERY_DAYS = 7
    settings.DONORS_REMINDER_MAX_COUNT = 3


@pytest.fixture
def instalment(donor_relations, reminder_settings):
    with time_machine.travel(datetime(2026, 4, 20, 12, tzinfo=ALMATY), tick=False):
        pledge = make_pledge(amount="1000.00", schedule=[(DUE, "1000.00")])
    return pledge.instalments.get()


def test_reminders_go_out_on_the_right_days_and_stop_at_the_maximum(instalment, donor_relations):
    sent_on = []
    day = date(2026, 5, 1)
    while day <= date(2026, 7, 1):
        mail.outbox.clear()
        run_on(day)
        if mail.outbox:
            assert len(mail.outbox) == 1
            assert mail.outbox[0].to == [donor_relations.email]
            sent_on.append(day)
        day += timedelta(days=1)
    # 7 days before, then 7 and 14 days after; the maximum (3) stops the rest.
    assert sent_on == [date(2026, 5, 13), date(2026, 5, 27), date(2026, 6, 3)]
    kinds = list(ReminderLog.objects.order_by("sent_on").values_list("kind", flat=True))
    assert kinds == ["before", "overdue", "overdue"]


def test_the_task_marks_past_due_items_overdue(instalment):
    with time_machine.travel(datetime(2026, 5, 1, 12, tzinfo=ALMATY), tick=False):
        agreement = Agreement.objects.create(pledge=instalment.pledge, reference="A", signed_on=date(2026, 5, 1))
        report = ReportingObligation.objects.create(agreement=agreement, kind="financial", due_on=DUE)
    run_on(DUE)
    instalment.refresh_from_db()
    report.refresh_from_db()
    assert (instalment.status, report.status) == (InstalmentStatus.SCHEDULED, ObligationStatus.DUE)
    result = run_on(DUE + timedelta(days=1))
    assert result["marked_overdue"] == 2
    instalment.refresh_from_db()
    report.refresh_from_db()
    assert (instalment.status, report.status) == (InstalmentStatus.OVERDUE, ObligationStatus.OVERDUE)
    assert Instalment.history.filter(id=instalment.pk, status=InstalmentStatus.OVERDUE).exists()


def test_running_twice_on_the_same_day_sends_nothing_more(instalment):
    first = run_on(date(2026, 5, 13))
    second = run_on(date(2026, 5, 13))
    assert (first["sent"], second["sent"]) == (1, 0)
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.count() == 1


def test_a_missed_run_catches_up_once(instalment):
    # The beat was down from 10 to 16 May: the advance reminder goes out on the 17th, once.
    assert run_on(date(2026, 5, 17))["sent"] == 1
    assert run_on(date(2026, 5, 18))["sent"] == 0


def test_paid_and_submitted_items_get_no_reminder(instalment, reminder_settings):
    from decimal import Decimal

    from donors.models import Payment

    with time_machine.travel(datetime(2026, 5, 1, 12, tzinfo=ALMATY), tick=False):
        Payment.objects.create(
            pledge=instalment.pledge, value_date=date(2026, 5, 1), amount=Decimal("1000"), currency="USD"
        )
        agreement = Agreement.objects.create(pledge=instalment.pledge, reference="A", signed_on=date(2026, 5, 1))
        ReportingObligation.objects.create(agreement=agreement, kind="audit", due_on=DUE, submitted_on=date(2026, 5, 2))
    for offset in (-7, 7, 14):
        assert run_on(DUE + timedelta(days=offset))["sent"] == 0
    assert mail.outbox == []


def test_reporting_obligations_are_reminded_too(donor_relations, reminder_settings):
    with time_machine.travel(datetime(2026, 4, 20, 12, tzinfo=ALMATY), tick=False):
        pledge = make_pledge(amount="10.00", schedule=[(date(2026, 12, 1), "10.00")])
        agreement = Agreement.objects.create(pledge=pledge, reference="AG-7", signed_on=date(2026, 4, 20))
        ReportingObligation.objects.create(agreement=agreement, kind="narrative_final", due_on=DUE)
    run_on(DUE - timedelta(days=7))
    assert len(mail.outbox) == 1
    assert "Narrative final report" in mail.outbox[0].subject
    assert "AG-7" in mail.outbox[0].body


def test_the_task_is_registered_under_the_beat_name():
    from django.conf import settings

    from caricc_portal.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["donors-send-reminders"]["task"] == "donors.tasks.send_reminders"
    assert "donors.tasks.send_reminders" in app.tasks
