"""A beat scheduler whose liveness the container can check.

`celery -A caricc_portal beat -S caricc_portal.beat:HeartbeatScheduler` touches
settings.BEAT_HEARTBEAT_FILE on every tick (at most every --max-interval seconds);
the health check in docker-compose.yml fails when the file is older than a few
ticks, i.e. when the scheduler loop is stuck or dead, not merely when the process exists.
"""

from pathlib import Path

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler


def touch_heartbeat() -> None:
    path = Path(settings.BEAT_HEARTBEAT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


class HeartbeatScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler, plus a heartbeat file per tick."""

    def setup_schedule(self):
        super().setup_schedule()
        touch_heartbeat()

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        touch_heartbeat()
        return interval
