"""The Celery application, configured from Django settings (CELERY_ namespace).

Tasks take ids, not objects, and are enqueued with `task.delay_on_commit(...)`
so a worker never races the transaction that created its input.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caricc_portal.settings")

app = Celery("caricc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Worker start-up: the worker's database time bounds, the broker persistence warning.
import core.worker  # noqa: E402, F401
