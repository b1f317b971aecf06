"""One submission, one object: one-time form tokens and idempotent consents."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client

from operations.models import ConsentLog
from operations.workflow import decide_consent, fire
from reports.models import ReportRequest
from tests.operations.conftest import build_operation

FORM = {"kind": "seizure_statistics", "format": "csv", "date_from": "2026-01-01", "date_to": "2026-03-31"}


def token_of(response) -> str:
    return response.context["form"]["submission_token"].value()


@pytest.mark.django_db
def test_the_same_form_posted_twice_makes_one_report_and_shows_the_first(client_for, officer_kz):
    client = client_for(officer_kz)
    token = token_of(client.get("/reports/"))
    assert token and token != token_of(client.get("/reports/"))  # a fresh token per rendering
    first = client.post("/reports/", {**FORM, "submission_token": token})
    second = client.post("/reports/", {**FORM, "submission_token": token})
    assert first.status_code == second.status_code == 302
    report = ReportRequest.objects.get()
    assert second["Location"] == report.get_absolute_url()
    # Another rendering of the form is another submission.
    assert client.post("/reports/", {**FORM, "submission_token": "another"}).status_code == 302
    assert ReportRequest.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_posts_make_one_object(officer_kz):
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(officer_kz)
    token = token_of(clients[0].get("/reports/"))
    barrier, answers = threading.Barrier(2), []

    def post(client):
        try:
            barrier.wait(10)
            answers.append(client.post("/reports/", {**FORM, "submission_token": token}))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [302, 302]
    assert ReportRequest.objects.count() == 1
    assert ReportRequest.objects.get().get_absolute_url() in [a["Location"] for a in answers]


@pytest.mark.django_db
def test_twenty_identical_consents_write_one_consent_log_row(officer_kz, officer_uz, uz, client_for):
    operation = build_operation(officer_kz, {uz: "participant"})
    fire(operation, "propose", officer_kz)
    operation.refresh_from_db()
    before = ConsentLog.objects.filter(operation=operation, state=officer_uz.state).count()
    for _ in range(20):
        decide_consent(operation, officer_uz, "granted", "")
    assert ConsentLog.objects.filter(operation=operation, state=officer_uz.state).count() == before + 1
    # Through the page as well (a double click on the consent form).
    client = client_for(officer_uz)
    url = f"/operations/{operation.pk}/consent/"
    for _ in range(2):
        client.post(
            url, {"decision": "granted", "conditions": "", "version": operation.version, "national_case_reference": ""}
        )
    assert ConsentLog.objects.filter(operation=operation, state=officer_uz.state).count() == before + 1
    # A different decision is a new fact.
    decide_consent(operation, officer_uz, "withdrawn", "")
    assert ConsentLog.objects.filter(operation=operation, state=officer_uz.state).count() == before + 2


@pytest.mark.django_db
def test_the_submit_button_script_is_on_every_page(client):
    page = client.get("/accounts/login/")
    assert "js/submit-once.js" in page.content.decode()
