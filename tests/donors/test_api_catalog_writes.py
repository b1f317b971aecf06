"""The donors' reference objects are written through the API exactly as in the UI (issue 16).

Pledging events (create only, like the UI), agreements and their files, reporting
obligations, exchange rates and budget lines: donor relations write (with history);
coordinators read and get 403 on writes; liaison officers and partner tokens get 404
from the whole donors API (the app does not exist for them, as in the UI); the model's
own rules answer 400 with field messages; nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from donors.choices import ObligationStatus, PledgeStatus
from donors.models import (
    Agreement,
    AgreementAttachment,
    BudgetLine,
    ExchangeRate,
    PledgingEvent,
    ReportingObligation,
)

from .conftest import DonorFactory, make_pledge

pytestmark = pytest.mark.django_db

NOW = "2026-05-01 12:00 +05:00"


@pytest.fixture
def objs(db):
    pledge = make_pledge(amount="100.00")
    agreement = Agreement.objects.create(pledge=pledge, reference="AG-1")
    return {
        "pledge": pledge,
        "pledging-events": PledgingEvent.objects.create(name="Conference", date=dt.date(2026, 4, 20)),
        "agreements": agreement,
        "reporting-obligations": ReportingObligation.objects.create(
            agreement=agreement, kind="financial", due_on=dt.date(2026, 12, 31)
        ),
        "exchange-rates": ExchangeRate.objects.create(
            currency="EUR", date=dt.date(2026, 4, 20), rate_to_usd=Decimal("1.08")
        ),
        "budget-lines": BudgetLine.objects.create(
            year=2026, category="staff", description="Analysts", amount_usd=Decimal("1000.00")
        ),
    }


def new_body(path: str, objs) -> dict:
    """A valid creation body for each collection."""
    return {
        "pledging-events": {"name": "Pledging round", "date": "2026-09-01", "online": True},
        "agreements": {"pledge": objs["pledge"].pk, "reference": "AG-2", "signed_on": "2026-04-30"},
        "reporting-obligations": {
            "agreement": objs["agreements"].pk,
            "kind": "narrative_interim",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "due_on": "2026-07-31",
        },
        "exchange-rates": {"currency": "gbp", "date": "2026-04-20", "rate_to_usd": "1.2700000000"},
        "budget-lines": {"year": 2026, "category": "equipment", "description": "Scanners", "amount_usd": "500.00"},
    }[path]


# What an update sends and the column it changes (the UI edits all of these but events).
UPDATES = {
    "agreements": ({"notes": "Amended"}, "notes", "Amended"),
    "reporting-obligations": ({"submitted_on": "2026-04-30"}, "status", ObligationStatus.SUBMITTED),
    "exchange-rates": ({"rate_to_usd": "1.0900000000"}, "rate_to_usd", Decimal("1.09")),
    "budget-lines": ({"description": "Analysts (2)"}, "description", "Analysts (2)"),
}

# Bodies the model's rules refuse, and the field the 400 names.
INVALID = {
    "pledging-events": ({"name": "Conference", "date": "2026-04-20"}, "non_field_errors"),  # same name and date
    "agreements": ({"start_on": "2026-06-01", "end_on": "2026-05-01"}, "end_on"),
    "reporting-obligations": ({"accepted_on": "2026-05-01"}, "accepted_on"),  # never submitted
    "exchange-rates": ({"currency": "xyz"}, "currency"),
    "budget-lines": ({"amount_usd": "0.00"}, "amount_usd"),
}

MODELS = {
    "pledging-events": PledgingEvent,
    "agreements": Agreement,
    "reporting-obligations": ReportingObligation,
    "exchange-rates": ExchangeRate,
    "budget-lines": BudgetLine,
}


def snapshot(model) -> list:
    return list(model.objects.order_by("pk").values())


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("path", list(MODELS))
def test_donor_relations_create_with_history(api_for, donor_relations, objs, path):
    model = MODELS[path]
    response = api_for(donor_relations).post(f"/api/v1/{path}/", new_body(path, objs), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["url"].endswith(f"/api/v1/{path}/{body['id']}/")
    obj = model.objects.get(pk=body["id"])
    record = obj.history.get()
    assert (record.history_type, record.history_user) == ("+", donor_relations)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("path", list(UPDATES))
def test_donor_relations_update_with_history(api_for, donor_relations, objs, path):
    body, column, expected = UPDATES[path]
    obj = objs[path]
    response = api_for(donor_relations).patch(f"/api/v1/{path}/{obj.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    obj.refresh_from_db()
    assert getattr(obj, column) == expected
    latest = obj.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user) == ("~", donor_relations)


@pytest.mark.parametrize("path", list(UPDATES))
def test_a_full_update_with_put(api_for, donor_relations, objs, path):
    obj = objs[path]
    client = api_for(donor_relations)
    current = client.get(f"/api/v1/{path}/{obj.pk}/").json()
    body = {k: v for k, v in {**current, **UPDATES[path][0]}.items() if v is not None}
    response = client.put(f"/api/v1/{path}/{obj.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    obj.refresh_from_db()
    assert getattr(obj, UPDATES[path][1]) == UPDATES[path][2]


@pytest.mark.parametrize("path", list(MODELS))
def test_a_coordinator_reads_but_gets_403_on_writes(api_for, coordinator, objs, path):
    model, obj = MODELS[path], objs[path]
    before = snapshot(model)
    client = api_for(coordinator)
    assert client.get(f"/api/v1/{path}/{obj.pk}/").status_code == 200
    assert client.post(f"/api/v1/{path}/", new_body(path, objs), format="json").status_code == 403
    if path in UPDATES:
        assert client.patch(f"/api/v1/{path}/{obj.pk}/", UPDATES[path][0], format="json").status_code == 403
    assert snapshot(model) == before


@pytest.mark.parametrize("path", list(MODELS))
def test_officers_and_partner_tokens_get_404_and_change_nothing(api_for, officer_kz, partner_api, objs, path):
    # The donors API does not exist for them (as the UI): 404, never 403, which would confirm the object.
    model, obj = MODELS[path], objs[path]
    before = snapshot(model)
    for client in (api_for(officer_kz), partner_api):
        assert client.post(f"/api/v1/{path}/", new_body(path, objs), format="json").status_code == 404
        assert client.patch(f"/api/v1/{path}/{obj.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert snapshot(model) == before


@pytest.mark.parametrize("path", list(MODELS))
def test_the_models_rules_answer_400_naming_the_field(api_for, donor_relations, objs, path):
    model = MODELS[path]
    before = snapshot(model)
    body, field = INVALID[path]
    client = api_for(donor_relations)
    if path == "pledging-events":
        response = client.post(f"/api/v1/{path}/", body, format="json")
    else:
        response = client.patch(f"/api/v1/{path}/{objs[path].pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json()[field], response.json()
    assert snapshot(model) == before


def test_the_same_message_as_the_ui(api_for, donor_relations, objs):
    response = api_for(donor_relations).patch(
        f"/api/v1/agreements/{objs['agreements'].pk}/", {"start_on": "2026-06-01", "end_on": "2026-05-01"}
    )
    assert response.json() == {"end_on": ["The end cannot be before the start."]}


@pytest.mark.parametrize("path", list(MODELS))
def test_an_unknown_id_is_404_and_nothing_is_deleted(api_for, donor_relations, objs, path):
    client = api_for(donor_relations)
    assert client.patch(f"/api/v1/{path}/999999/", {"notes": "x"}, format="json").status_code in (404, 405)
    assert client.get(f"/api/v1/{path}/999999/").status_code == 404
    # No delete route: DRF's permission check (delete_ is held by nobody) answers before the 405.
    assert client.delete(f"/api/v1/{path}/{objs[path].pk}/").status_code in (403, 405)
    assert MODELS[path].objects.filter(pk=objs[path].pk).exists()


@pytest.mark.parametrize("path", list(UPDATES))
def test_an_unknown_id_on_an_update_is_404(api_for, donor_relations, objs, path):
    assert api_for(donor_relations).patch(f"/api/v1/{path}/999999/", {}, format="json").status_code == 404


def test_a_pledging_event_is_never_edited(api_for, donor_relations, objs):
    url = f"/api/v1/pledging-events/{objs['pledging-events'].pk}/"
    assert api_for(donor_relations).patch(url, {"name": "Renamed"}, format="json").status_code == 405
    assert api_for(donor_relations).put(url, {"name": "Renamed", "date": "2026-04-20"}).status_code == 405


def test_request_bodies_are_json_only(api_for, donor_relations, objs):
    response = api_for(donor_relations).post(
        "/api/v1/budget-lines/", new_body("budget-lines", objs), format="multipart"
    )
    assert response.status_code == 415
    assert BudgetLine.objects.count() == 1


def test_text_and_parents_are_checked(api_for, donor_relations, objs):
    client = api_for(donor_relations)
    response = client.post("/api/v1/agreements/", {**new_body("agreements", objs), "reference": 12}, format="json")
    assert response.status_code == 400 and response.json()["reference"]
    response = client.post("/api/v1/agreements/", {**new_body("agreements", objs), "pledge": 999999}, format="json")
    assert response.status_code == 400 and response.json()["pledge"]
    body = {**new_body("reporting-obligations", objs), "agreement": None}
    response = client.post("/api/v1/reporting-obligations/", body, format="json")
    assert response.status_code == 400 and response.json()["agreement"]


def test_a_coordinator_cannot_file_under_a_confidential_pledge_it_cannot_see(api_for, coordinator, objs):
    # Out of scope answers as unknown; the write itself would be 403 anyway.
    secret = make_pledge(DonorFactory(confidential=True), amount="10.00")
    client = api_for(coordinator)
    assert client.get(f"/api/v1/pledges/{secret.pk}/").status_code == 404
    agreement = Agreement.objects.create(pledge=secret, reference="S-1")
    assert client.get(f"/api/v1/agreements/{agreement.pk}/").status_code == 404
    assert client.patch(f"/api/v1/agreements/{agreement.pk}/", {"notes": "x"}, format="json").status_code == 404


def test_donor_relations_file_under_a_confidential_pledge_and_signing_commits_it(api_for, donor_relations):
    pledge = make_pledge(DonorFactory(confidential=True), amount="10.00")
    client = api_for(donor_relations)
    response = client.post("/api/v1/agreements/", {"pledge": pledge.pk, "reference": "S-1"}, format="json")
    assert response.status_code == 201
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ANNOUNCED
    url = response.json()["url"]
    assert client.patch(url, {"signed_on": "2026-04-30"}, format="json").status_code == 200
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.COMMITTED  # the agreement's save refreshes its pledge, as in the UI


def test_an_agreement_stays_with_its_pledge_and_an_obligation_with_its_agreement(api_for, donor_relations, objs):
    other = make_pledge(amount="5.00")
    client = api_for(donor_relations)
    agreement, obligation = objs["agreements"], objs["reporting-obligations"]
    response = client.patch(f"/api/v1/agreements/{agreement.pk}/", {"pledge": other.pk}, format="json")
    assert response.status_code == 200 and response.json()["pledge"] == objs["pledge"].pk
    other_agreement = Agreement.objects.create(pledge=other, reference="AG-9")
    url = f"/api/v1/reporting-obligations/{obligation.pk}/"
    assert client.patch(url, {"agreement": other_agreement.pk}, format="json").json()["agreement"] == agreement.pk
    agreement.refresh_from_db()
    obligation.refresh_from_db()
    assert (agreement.pledge_id, obligation.agreement_id) == (objs["pledge"].pk, agreement.pk)


def test_status_is_derived_not_written(api_for, donor_relations, objs):
    obligation = objs["reporting-obligations"]
    response = api_for(donor_relations).patch(
        f"/api/v1/reporting-obligations/{obligation.pk}/", {"status": "accepted"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == ObligationStatus.DUE


def test_a_rate_correction_keeps_history_and_is_unique_per_day(api_for, donor_relations, objs):
    client = api_for(donor_relations)
    rate = objs["exchange-rates"]
    response = client.post("/api/v1/exchange-rates/", {"currency": "eur", "date": "2026-04-20", "rate_to_usd": "1"})
    assert response.status_code == 400 and response.json()["non_field_errors"]
    assert client.patch(f"/api/v1/exchange-rates/{rate.pk}/", {"rate_to_usd": "1.1"}).status_code == 200
    assert [h.rate_to_usd for h in rate.history.order_by("history_id")] == [Decimal("1.08"), Decimal("1.1")]


# --- files ------------------------------------------------------------------------------


def upload(client, agreement, content=b"%PDF-1.4 signed", name="agreement.pdf"):
    return client.post(
        f"/api/v1/agreements/{agreement.pk}/attachments/",
        {"name": "Signed agreement", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_a_file_is_attached_under_the_upload_policy_and_downloaded(api_for, donor_relations, objs):
    client = api_for(donor_relations)
    agreement = objs["agreements"]
    response = upload(client, agreement)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["content_type"], body["size"], body["filename"]) == ("application/pdf", 15, "agreement.pdf")
    attachment = AgreementAttachment.objects.get()
    assert attachment.uploaded_by == donor_relations and attachment.sha256 == body["sha256"]
    listed = client.get(f"/api/v1/agreements/{agreement.pk}/").json()["attachments"]
    assert [a["id"] for a in listed] == [attachment.pk]
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/api/v1/agreements/{agreement.pk}/attachments/999999/").status_code == 404


def test_a_refused_file_is_a_400_on_the_file_and_nothing_is_stored(api_for, donor_relations, objs):
    response = upload(api_for(donor_relations), objs["agreements"], content=b"<html>hi</html>", name="x.pdf")
    assert response.status_code == 400
    assert "not accepted" in response.json()["file"][0]
    assert not AgreementAttachment.objects.exists()


def test_who_may_attach(api_for, coordinator, officer_kz, partner_api, objs):
    agreement = objs["agreements"]
    assert upload(api_for(coordinator), agreement).status_code == 403
    assert upload(api_for(officer_kz), agreement).status_code == 404
    assert upload(partner_api, agreement).status_code == 404
    assert not AgreementAttachment.objects.exists()


def test_a_file_for_an_unknown_agreement_is_404(api_for, donor_relations, objs):
    response = api_for(donor_relations).post(
        "/api/v1/agreements/999999/attachments/",
        {"name": "x", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 404


# --- sync ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(UPDATES))
def test_updated_since_and_the_change_feed_cover_the_writes(api_for, donor_relations, objs, path):
    client = api_for(donor_relations)
    obj = objs[path]
    with time_machine.travel("2030-01-01 00:00 +05:00", tick=False):
        assert client.patch(f"/api/v1/{path}/{obj.pk}/", UPDATES[path][0], format="json").status_code == 200
    ids = [
        row["id"] for row in client.get(f"/api/v1/{path}/", {"updated_since": "2029-12-31T00:00:00Z"}).json()["results"]
    ]
    assert ids == [obj.pk]
    kind = f"donors.{MODELS[path]._meta.model_name}"
    feed = client.get("/api/v1/changes/", {"kind": kind, "page_size": 500}).json()["results"]
    assert obj.pk in {item["object_id"] for item in feed}
    assert (
        api_for(donor_relations).get(f"/api/v1/{path}/", {"updated_since": "2031-01-01T00:00:00Z"}).json()["results"]
        == []
    )


# --- query counts -------------------------------------------------------------------------


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


@pytest.fixture
def many(db):
    pledge = make_pledge(amount="100.00")
    agreements = Agreement.objects.bulk_create([Agreement(pledge=pledge, reference=f"AG-{n}") for n in range(120)])
    for agreement in agreements[:30]:
        AgreementAttachment.objects.create(agreement=agreement, name="f", file="donors/agreements/x")
    ReportingObligation.objects.bulk_create(
        [ReportingObligation(agreement=a, kind="financial", due_on=dt.date(2026, 12, 31)) for a in agreements]
    )
    PledgingEvent.objects.bulk_create([PledgingEvent(name=f"Round {n}", date=dt.date(2026, 1, 1)) for n in range(120)])
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(currency="EUR", date=dt.date(2025, 1, 1) + dt.timedelta(days=n), rate_to_usd=Decimal("1.1"))
            for n in range(120)
        ]
    )
    BudgetLine.objects.bulk_create(
        [BudgetLine(year=2026, category="staff", description=f"L{n}", amount_usd=Decimal("1")) for n in range(120)]
    )


@pytest.mark.parametrize("path", list(MODELS))
def test_list_pages_cost_the_same_at_10_and_100(api_for, donor_relations, many, django_assert_num_queries, path):
    api = api_for(donor_relations)
    url = f"/api/v1/{path}/"
    api.get(url)  # the permission caches fill once per user object
    small = count_queries(lambda: api.get(url, {"page_size": 10}))
    with django_assert_num_queries(small):
        response = api.get(url, {"page_size": 100})
    assert len(response.json()["results"]) == 100
    assert response.json()["next"]
