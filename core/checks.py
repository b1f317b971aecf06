"""System checks of the foundation's run-time settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register("celery")
def visibility_timeout_exceeds_time_limits(app_configs=None, **kwargs) -> list[Error]:
    """The broker's visibility timeout must exceed every task's hard time limit.

    Otherwise Redis hands a task that is still running to a second worker (two
    builds of one report), and a killed worker's task comes back only after the
    timeout: it is the upper bound on how long a lost message waits.
    """
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return []
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    limits = {
        "CELERY_TASK_TIME_LIMIT": getattr(settings, "CELERY_TASK_TIME_LIMIT", None),
        "REPORTS_TIME_LIMIT": getattr(settings, "REPORTS_TIME_LIMIT", None),
    }
    return [
        Error(
            f"The broker's visibility_timeout ({visibility} s) must exceed {name} ({limit} s).",
            hint="Raise CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'] or lower the time limit.",
            id="core.E001",
        )
        for name, limit in limits.items()
        if limit and visibility <= limit
    ]
