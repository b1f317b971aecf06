"""The reports API: 202 with a status URL, status, download, scope and validation."""

import pytest

from reports.models import ReportRequest
from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.django_db

API_LIST_QUERIES = 1  # the page itself: no COUNT, no query per row


def post(api, **body):
    body = {"kind": "seizure_statistics", "format": "csv", "parameters": PERIOD, **body}
    return api.post("/api/v1/reports/", body, format="json")


def test_post_answers_202_with_the_id_and_a_status_url(
    api_for, officer_kz, seizures, django_capture_on_commit_callbacks
):
    api = api_for(officer_kz)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(api)
    assert response.status_code == 202
    body = response.json()
    report = ReportRequest.objects.get(pk=body["id"])
    assert body["status"] == "queued"
    assert body["status_url"].endswith(f"/api/v1/reports/{report.pk}/")
    assert response["Location"] == body["status_url"]
    assert len(callbacks) == 1  # the build is enqueued on commit, not before
    status = api.get(body["status_url"]).json()
    assert status["status"] == "queued" and status["download_url"] is None
    # Not ready yet: the download is a conflict, not a file.
    assert api.get(f"/api/v1/reports/{report.pk}/download/").status_code == 409


def test_status_and_download_once_built(api_for, officer_kz, seizures, django_capture_on_commit_callbacks):
    api = api_for(officer_kz)
    with django_capture_on_commit_callbacks(execute=True):
        body = post(api, format="xlsx").json()
    status = api.get(body["status_url"]).json()
    assert status["status"] == "succeeded"
    assert status["progress"] == 100
    assert status["row_count"] == 5
    assert status["tlp"] == "AMBER"
    response = api.get(status["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_another_states_officer_gets_404_on_status_and_download(api_for, officer_kz, officer_uz, build, seizures):
    report = build(officer_kz)
    other = api_for(officer_uz)
    assert other.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert other.get(f"/api/v1/reports/{report.pk}/download/").status_code == 404
    assert other.get("/api/v1/reports/").json()["results"] == []


def test_the_list_shows_only_my_reports(api_for, officer_kz, officer_uz, build, seizures):
    mine = build(officer_kz)
    build(officer_uz)
    ids = [r["id"] for r in api_for(officer_kz).get("/api/v1/reports/").json()["results"]]
    assert ids == [mine.pk]


def test_bad_parameters_answer_400_with_field_messages(api_for, officer_kz):
    api = api_for(officer_kz)
    response = post(api, parameters={"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "parameters.date_to" in response.json()
    response = post(api, parameters={"date_to": "2026-01-01"})
    assert "parameters.date_from" in response.json()
    response = post(api, kind="nonsense")
    assert response.status_code == 400 and "kind" in response.json()
    response = post(api, format="docx")
    assert response.status_code == 400 and "format" in response.json()
    response = post(api, parameters={**PERIOD, "states": ["XX"]})
    assert response.status_code == 400 and "parameters.states" in response.json()
    assert ReportRequest.objects.count() == 0  # nothing half-written


def test_no_update_and_no_delete(api_for, officer_kz, build, seizures):
    report = build(officer_kz)
    api = api_for(officer_kz)
    assert api.delete(f"/api/v1/reports/{report.pk}/").status_code in (403, 405)
    assert api.patch(f"/api/v1/reports/{report.pk}/", {"status": "queued"}, format="json").status_code in (403, 405)
    report.refresh_from_db()
    assert report.status == "succeeded"


def test_a_partner_system_with_a_real_token_can_request_a_report(partner_api, seizures):
    response = post(partner_api)
    assert response.status_code == 202


def test_anonymous_gets_401_or_403(api_client):
    assert api_client.post("/api/v1/reports/", {}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("page_size", [10, 100])
def test_the_api_list_costs_the_same_number_of_queries_at_any_page_size(
    api_for, officer_kz, page_size, django_assert_num_queries
):
    ReportRequest.objects.bulk_create(
        [
            ReportRequest(kind="seizure_statistics", parameters=PERIOD, format="csv", requested_by=officer_kz)
            for _ in range(page_size + 5)
        ]
    )
    api = api_for(officer_kz)
    api.get("/api/v1/reports/")
    with django_assert_num_queries(API_LIST_QUERIES):
        response = api.get("/api/v1/reports/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size
