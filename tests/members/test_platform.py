"""The platform around the apps: health, demo data, the worker, the API schema."""

import io

import pytest
from django.core.management import call_command

from members.models import State, User
from members.roles import Role


def test_healthz_and_readyz_tell_a_stranger_only_ok(client, db):
    # Liveness and readiness in depth: tests/security/test_health.py.
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] in ("ok", "fail")
    assert "checks" not in client.get("/readyz").json()


def test_seed_demo_is_idempotent_and_creates_the_documented_logins(db):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (State.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (State.objects.count(), User.objects.count()) == counts
    expected = {f"officer-{c}" for c in ("az", "kz", "kg", "ru", "tj", "tm", "uz")} | {
        "observer-de",
        "coordinator",
        "analyst",
        "donors",
        "admin",
        "partner-kz",
    }
    assert expected <= set(User.objects.values_list("username", flat=True))
    assert State.objects.filter(status=State.Status.MEMBER).count() == 7
    assert set(State.objects.filter(status=State.Status.CANDIDATE).values_list("code", flat=True)) == {"AF", "TR"}
    officer = User.objects.get(username="officer-uz")
    assert officer.groups.filter(name="state:UZ").exists() and officer.has_role(Role.LIAISON_OFFICER)
    assert User.objects.get(username="partner-kz").is_partner_system


def test_the_openapi_schema_and_local_docs_are_served(client_for, officer_kz):
    client = client_for(officer_kz)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/states/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_every_user_facing_page_is_translated_to_russian(client_for, officer_kz):
    client = client_for(officer_kz)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    response = client.get("/states/")
    assert "Справочник государств".encode() in response.content


@pytest.mark.worker
def test_a_real_worker_runs_a_task_end_to_end(celery_worker_process):
    import os

    from core.tasks import heartbeat

    result = heartbeat.delay().get(timeout=60)
    assert result["pid"] != os.getpid()
    assert result["db_time"]
