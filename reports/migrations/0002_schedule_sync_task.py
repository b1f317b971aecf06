"""The daily PeriodicTask that keeps one monthly report schedule per member state.

The per-state rows cannot be created here (a fresh database has no states yet);
this task creates them, daily, from the states that exist.
"""

from django.db import migrations

NAME = "reports: keep monthly state schedules in step"
TASK = "reports.tasks.schedule_monthly_reports"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_day, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "interval": every_day, "enabled": True, "kwargs": "{}"}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
