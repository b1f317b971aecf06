"""Monthly report schedules in django-celery-beat: one PeriodicTask per member state.

The rows are kept in step with the member states by `sync_monthly_schedules`,
which runs daily (its own PeriodicTask, created by migration 0002) and from the
demo seed. A state that stops being a member keeps its row, disabled.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction

MONTHLY_TASK = "reports.tasks.build_monthly_state_report"
SYNC_TASK = "reports.tasks.schedule_monthly_reports"
SYNC_NAME = "reports: keep monthly state schedules in step"


def schedule_name(code: str) -> str:
    return f"reports: monthly seizure statistics {code}"


def monthly_crontab():
    """03:00 local time on the 1st of every month."""
    from django_celery_beat.models import CrontabSchedule

    schedule, _created = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_month="1", month_of_year="*", day_of_week="*", timezone=settings.TIME_ZONE
    )
    return schedule


def sync_monthly_schedules() -> int:
    """Create or enable a monthly task per member state; disable the others. Returns enabled count."""
    from django_celery_beat.models import PeriodicTask

    from members.models import State

    with transaction.atomic():
        crontab = monthly_crontab()
        members = set(State.objects.filter(status=State.Status.MEMBER).values_list("code", flat=True))
        for code in members:
            PeriodicTask.objects.update_or_create(
                name=schedule_name(code),
                defaults={
                    "task": MONTHLY_TASK,
                    "crontab": crontab,
                    "interval": None,
                    "kwargs": json.dumps({"state_code": code}),
                    "enabled": True,
                },
            )
        stale = PeriodicTask.objects.filter(task=MONTHLY_TASK, enabled=True).exclude(
            name__in=[schedule_name(c) for c in members]
        )
        for task in stale:
            task.enabled = False
            task.save(update_fields=["enabled"])
    return len(members)
