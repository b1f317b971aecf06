"""'Waiting for me' on the home page, per role, bounded."""

import pytest
from django.utils import timezone

from intel import services
from operations.workflow import fire
from tests.operations.conftest import build_operation

from .conftest import MARKINGS

pytestmark = pytest.mark.django_db


def titles(client) -> dict:
    panels = client.get("/").context["panels"]
    return {str(p["title"]): p for p in panels if p.get("waiting")}


def test_an_officer_sees_requests_to_answer_with_the_deadline_and_consents_owed(officer_kz, officer_uz, uz, client_for):
    services.create_rfi(
        user=officer_kz,
        fields={"title": "Q", **MARKINGS},
        addressees=[uz],
        purpose="p",
        legal_basis="l",
        questions=["q"],
    )
    op = build_operation(officer_kz, {uz: "participant"})
    fire(op, "propose", officer_kz)
    panels = titles(client_for(officer_uz))
    assert panels["Requests to answer"]["value"] == "1"
    assert "deadline" in str(panels["Requests to answer"]["text"])
    assert panels["Consents your state owes"]["value"] == "1"
    assert "Requests to answer" not in titles(client_for(officer_kz))


def test_a_coordinator_sees_approvals(officer_kz, officer_uz, uz, coordinator, client_for):
    from operations.workflow import decide_consent

    op = build_operation(officer_kz, {uz: "participant"})
    fire(op, "propose", officer_kz)
    decide_consent(op, officer_uz, "granted")
    assert titles(client_for(coordinator))["Approvals"]["value"] == "1"
    assert "Approvals" not in titles(client_for(officer_uz))


def test_counts_are_capped(make_record, officer_kz, officer_uz, uz, client_for):
    from notifications import waiting

    waiting.CAP, old = 2, waiting.CAP
    try:
        for i in range(4):
            record = make_record(officer_uz, recipients=[officer_kz.state], tlp="GREEN", title=f"r{i}")
            services.request_dissemination(user=officer_kz, record=record, states=[uz], reason="why")
        assert titles(client_for(officer_uz))["Dissemination decisions"]["value"] == "more than 2"
    finally:
        waiting.CAP = old
    assert timezone.now()


def test_the_home_page_shows_waiting_for_me_first(officer_kz, officer_uz, uz, client_for):
    services.create_rfi(
        user=officer_kz,
        fields={"title": "Q", **MARKINGS},
        addressees=[uz],
        purpose="p",
        legal_basis="l",
        questions=["q"],
    )
    page = client_for(officer_uz).get("/").content.decode()
    assert 'data-testid="waiting-for-me"' in page
    assert page.index("Requests to answer") > page.index('data-testid="waiting-for-me"')
    assert page.count("Requests to answer") == 1
