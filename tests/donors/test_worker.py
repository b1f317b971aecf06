"""The reminder task on a real Celery worker (PostgreSQL and Redis only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from donors.models import Instalment, ReminderLog

from .conftest import make_pledge

pytestmark = [pytest.mark.worker]


def test_a_real_worker_sends_todays_reminder_once(celery_worker_process, donor_relations):
    today = timezone.localdate()
    pledge = make_pledge(amount="10.00", announced_on=today, schedule=[(today + timedelta(days=3), "10.00")])
    from donors.tasks import send_reminders

    first = send_reminders.delay().get(timeout=60)
    second = send_reminders.delay().get(timeout=60)
    assert (first["sent"], second["sent"]) == (1, 0)
    instalment = Instalment.objects.get(pledge=pledge)
    log = ReminderLog.objects.get(target=f"instalment:{instalment.pk}")
    assert (log.kind, log.sent_on) == ("before", today)
    assert donor_relations.email in log.recipients
