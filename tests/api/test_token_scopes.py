"""API token scopes (read, seizures, write, webhooks) on every call; issue/rotate/revoke in the admin."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from members.models import APIToken
from tests.intel.conftest import SEIZURE_PAYLOAD

pytestmark = pytest.mark.django_db


def client_with(partner, scopes):
    _token, raw = APIToken.issue(partner, name="scoped", scopes=scopes)
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return c


def test_a_read_only_token_reads_but_may_not_post_seizures(partner_kz):
    c = client_with(partner_kz, ["read"])
    assert c.get("/api/v1/intel/records/").status_code == 200
    response = c.post("/api/v1/intel/seizures/", SEIZURE_PAYLOAD, format="json")
    assert response.status_code == 403
    assert "seizures" in response.json()["detail"]


def test_a_seizures_token_posts_seizures_but_may_not_read_or_manage_webhooks(partner_kz, settings):
    c = client_with(partner_kz, ["seizures"])
    assert c.post("/api/v1/intel/seizures/", SEIZURE_PAYLOAD, format="json").status_code == 201
    assert c.get("/api/v1/intel/records/").status_code == 403
    assert c.get("/api/v1/webhooks/").status_code == 403


def test_webhooks_need_their_scope(partner_kz):
    assert client_with(partner_kz, ["read"]).get("/api/v1/webhooks/").status_code == 403
    assert client_with(partner_kz, ["webhooks"]).get("/api/v1/webhooks/").status_code == 200


def test_the_command_line_issues_scoped_tokens(partner_kz, capsys):
    call_command("create_api_token", "partner-kz", "--scopes", "read")
    raw = capsys.readouterr().out.strip()
    assert APIToken.find(raw).scopes == ["read"]


def test_the_admin_issues_rotates_and_revokes_showing_the_key_once(client, partner_kz, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/members/apitoken/add/",
        {"user": partner_kz.pk, "name": "from admin", "scopes": ["read", "webhooks"], "lifetime_days": "30"},
        follow=True,
    )
    assert response.status_code == 200
    token = APIToken.objects.get(name="from admin")
    assert token.scopes == ["read", "webhooks"]
    shown = [str(m) for m in response.context["messages"]]
    raw = next(part for m in shown for part in m.split() if len(part) > 30)
    assert APIToken.find(raw) == token
    response = client.post(
        "/admin/members/apitoken/", {"action": "rotate", "_selected_action": [token.pk]}, follow=True
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    new = APIToken.objects.active().get(name="from admin")
    assert new.scopes == ["read", "webhooks"]
    client.post("/admin/members/apitoken/", {"action": "revoke", "_selected_action": [new.pk]})
    assert not APIToken.objects.active().filter(name="from admin").exists()
