"""Webhooks: subscriptions per partner account, Standard Webhooks signatures, retries, replay."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from intel import services
from sync.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that records what it receives and answers `status`."""

    def __init__(self, status: int = 204):
        self.status = status
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                """Keep the test output free of the server's access log."""

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    settings.WEBHOOK_BACKOFF_SECONDS = 0
    r = Receiver()
    yield r
    r.close()


def subscribe(partner_api, url, events=("intel.record",)):
    response = partner_api.post("/api/v1/webhooks/", {"url": url, "events": list(events)})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_shared_record_is_pushed_signed_per_standard_webhooks(
    partner_api, receiver, make_record, officer_uz, kz, django_capture_on_commit_callbacks
):
    created = subscribe(partner_api, receiver.url)
    assert created["secret"].startswith("whsec_")
    # The secret is shown once: never again in reads.
    assert "secret" not in partner_api.get(f"/api/v1/webhooks/{created['id']}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        record = make_record(officer_uz, recipients=[kz])
    assert receiver.received, "nothing was delivered"
    headers, body = receiver.received[-1]
    payload = Webhook(created["secret"]).verify(body, headers)
    assert payload["type"] == "intel.record.upsert"
    assert payload["data"]["object_id"] == record.pk
    with pytest.raises(Exception):  # noqa: B017 - any verification failure
        Webhook(created["secret"]).verify(body + b" ", headers)


def test_nothing_is_pushed_that_the_state_may_not_see_at_delivery_time(
    partner_api, receiver, make_record, officer_uz, uz, django_capture_on_commit_callbacks
):
    subscribe(partner_api, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_record(officer_uz, recipients=[])  # Uzbekistan's own record, not shared with Kazakhstan
    assert receiver.received == []
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) <= {WebhookDelivery.Status.SKIPPED}


def test_a_withdrawn_record_is_pushed_as_a_tombstone(
    partner_api, receiver, make_record, officer_uz, kz, django_capture_on_commit_callbacks
):
    created = subscribe(partner_api, receiver.url)
    record = make_record(officer_uz, recipients=[kz])
    with django_capture_on_commit_callbacks(execute=True):
        services.set_dissemination(user=officer_uz, record=record, states=[], shortcut="")
    payloads = [Webhook(created["secret"]).verify(b, h) for h, b in receiver.received]
    assert [(p["type"], p["data"]) for p in payloads if p["type"].endswith("tombstone")] == [
        (
            "intel.record.tombstone",
            {
                "id": payloads[-1]["data"]["id"],
                "kind": "intel.record",
                "object_id": record.pk,
                "op": "tombstone",
                "url": None,
            },
        )
    ]


def test_failures_retry_then_disable_the_subscription(
    partner_api, receiver, make_record, officer_uz, kz, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_FAILURES = 3
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    receiver.status = 500
    created = subscribe(partner_api, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_record(officer_uz, recipients=[kz])
    assert len(receiver.received) == 3  # retried until the third consecutive failure disabled it
    sub = WebhookSubscription.objects.get(pk=created["id"])
    assert not sub.is_active and sub.disabled_at is not None
    log = partner_api.get(f"/api/v1/webhooks/{sub.pk}/deliveries/").json()["results"]
    assert log[0]["status"] == "failed" and log[0]["attempts"] == 3 and log[0]["response_status"] == 500


def test_a_delivery_is_replayed_from_the_log(
    partner_api, receiver, make_record, officer_uz, kz, django_capture_on_commit_callbacks
):
    created = subscribe(partner_api, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_record(officer_uz, recipients=[kz])
    delivery = partner_api.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()["results"][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = partner_api.post(f"/api/v1/webhooks/{created['id']}/deliveries/{delivery['id']}/replay/")
    assert response.status_code == 202
    assert response.json()["replay_of"] == delivery["id"]
    assert len(receiver.received) == 2
    first, second = (json.loads(b) for _h, b in receiver.received)
    assert first["data"] == second["data"]


def test_subscriptions_are_per_account_and_for_partner_systems_only(partner_api, receiver, api_for, officer_kz):
    created = subscribe(partner_api, receiver.url)
    assert api_for(officer_kz).get("/api/v1/webhooks/").status_code == 403
    from members.roles import Role
    from tests.factories import UserFactory

    other = UserFactory(username="partner-kz-2", state=officer_kz.state, roles=[Role.PARTNER_SYSTEM])
    assert api_for(other).get(f"/api/v1/webhooks/{created['id']}/").status_code == 404


def test_private_addresses_are_refused_unless_allowed(partner_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = partner_api.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 400 and "url" in response.json()
