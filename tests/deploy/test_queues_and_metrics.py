"""Task routing to the three queues, and the Prometheus endpoint and its metrics."""

import pytest
from django.test import Client

from caricc_portal.celery import app
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("reports.tasks.build_report", "reports"),
        ("reports.tasks.purge_expired_reports", "reports"),
        ("donors.tasks.send_reminders", "notify"),
        ("intel.tasks.flag_overdue_rfis", "notify"),
        ("notifications.tasks.send_immediate", "notify"),
        ("webhooks.deliver", "notify"),
        ("core.heartbeat", "celery"),
    ],
)
def test_each_kind_of_task_goes_to_its_queue(task, queue):
    route = app.amqp.router.route({}, task, (), {})
    assert route["queue"].name == queue


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_ALLOWED_IPS = ["10.9.9.9"]
    settings.METRICS_TOKEN = "scrape-token-for-tests"
    return settings


@pytest.mark.django_db
def test_metrics_are_hidden_from_anonymous_callers_outside_the_allow_list(metrics_settings):
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


@pytest.mark.django_db
def test_metrics_answer_the_token_the_allow_list_and_staff(metrics_settings):
    Client().get("/healthz")  # at least one request counted by view
    by_token = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-for-tests")
    assert by_token.status_code == 200
    text = by_token.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert 'view="healthz"' in text
    assert Client(REMOTE_ADDR="10.9.9.9").get("/metrics").status_code == 200
    staff = Client()
    staff.force_login(UserFactory(username="metrics-staff", is_staff=True))
    assert staff.get("/metrics").status_code == 200
    plain = Client()
    plain.force_login(UserFactory(username="metrics-plain"))
    assert plain.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_task_runs_are_counted_and_timed(metrics_settings):
    from caricc_portal.metrics import TASK_SUCCEEDED
    from core.tasks import heartbeat

    before = TASK_SUCCEEDED.labels("core.heartbeat")._value.get()
    heartbeat.apply()
    assert TASK_SUCCEEDED.labels("core.heartbeat")._value.get() == before + 1
    text = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-for-tests").content.decode()
    assert 'celery_task_runtime_seconds_count{name="core.heartbeat"}' in text


def test_queue_lengths_are_read_from_the_redis_broker(settings):
    import redis

    from caricc_portal.metrics import QueueLengthCollector

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs the Redis broker (CELERY_BROKER_URL)")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("notify")
    client.lpush("notify", "a", "b", "c")
    try:
        (family,) = list(QueueLengthCollector().collect())
        values = {sample.labels["queue_name"]: sample.value for sample in family.samples}
        assert values["notify"] == 3
        assert set(settings.CELERY_QUEUE_NAMES) <= set(values)
    finally:
        client.delete("notify")
