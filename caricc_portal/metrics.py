"""Prometheus metrics beyond django-prometheus's request metrics.

* `celery_queue_length{queue_name}`: messages waiting in each Redis queue (and
  "unacknowledged": taken by a worker, not yet done), read when /metrics is
  scraped (the celery-exporter's name and label);
* `celery_task_runtime_seconds{name}`, `celery_task_succeeded_total{name}`,
  `celery_task_failed_total{name}`: recorded by the workers through Celery's task
  signals (this module is in CELERY_IMPORTS) and served by each worker on
  CELERY_METRICS_PORT when that variable is set.

/metrics itself answers staff users, METRICS_ALLOWED_IPS and `Authorization:
Bearer <METRICS_TOKEN>`; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

import prometheus_client
from celery import signals
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

from core.net import client_ip

from .health import queue_lengths

logger = logging.getLogger(__name__)


class QueueLengthCollector:
    """Reads the broker's queue lengths at scrape time (no background thread)."""

    def collect(self):
        family = GaugeMetricFamily("celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue_name"])
        try:
            url = settings.CELERY_BROKER_URL
            lengths = queue_lengths(url, list(settings.CELERY_QUEUE_NAMES)) if url.startswith("redis") else {}
        except Exception as exc:  # a scrape must not fail because the broker is away
            logger.warning("Queue lengths unavailable: %s", exc.__class__.__name__)
            lengths = {}
        for queue, length in lengths.items():
            family.add_metric([queue], length)
        yield family


_queue_registry = CollectorRegistry(auto_describe=True)
_queue_registry.register(QueueLengthCollector())


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def allowed(request: HttpRequest) -> bool:
    """Staff, an allow-listed address, or the bearer token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    if client_ip(request) in settings.METRICS_ALLOWED_IPS:
        return True
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition: request metrics, then queue lengths."""
    if not allowed(request):
        raise Http404
    body = prometheus_client.generate_latest(_registry()) + prometheus_client.generate_latest(_queue_registry)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


# --- Celery task metrics (in the worker processes) ---------------------------------

TASK_RUNTIME = Histogram(
    "celery_task_runtime_seconds",
    "Time a Celery task took, by task name.",
    ["name"],
    buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
TASK_SUCCEEDED = Counter("celery_task_succeeded_total", "Celery tasks that succeeded.", ["name"])
TASK_FAILED = Counter("celery_task_failed_total", "Celery tasks that raised.", ["name"])
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **_kwargs):
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_kwargs):
    started = _started.pop(task_id, None)
    if started is not None and task is not None:
        TASK_RUNTIME.labels(task.name).observe(time.monotonic() - started)
    if task is not None and state == "SUCCESS":
        TASK_SUCCEEDED.labels(task.name).inc()


@signals.task_failure.connect
def _task_failed(sender=None, **_kwargs):
    if sender is not None:
        TASK_FAILED.labels(sender.name).inc()


@signals.worker_ready.connect
def _serve_worker_metrics(**_kwargs):
    port = os.environ.get("CELERY_METRICS_PORT")
    if port:
        prometheus_client.start_http_server(int(port), registry=_registry())
        logger.info("Worker metrics on :%s/metrics", port)
