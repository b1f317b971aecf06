"""The Reports page: request, live status through htmx polling, download, scope."""

import pytest
from django.urls import reverse

from reports.models import ReportRequest
from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.django_db

# Baselines: a change here is a change in what every page costs.
PARTIAL_QUERIES = 6
# The full page also shows the notification bell: one indexed, capped count (an htmx
# partial does not render the bell, so it does not pay for it).
FULL_PAGE_QUERIES = 8


def form_data(**extra):
    return {
        "kind": "seizure_statistics",
        "format": "xlsx",
        **{k: v for k, v in PERIOD.items() if k != "states"},
        **extra,
    }


def test_the_page_offers_the_form_and_the_kinds_the_user_may_request(client_for, officer_kz):
    response = client_for(officer_kz).get(reverse("reports:list"))
    assert response.status_code == 200
    kinds = [code for code, _label in response.context["form"].fields["kind"].choices]
    assert "seizure_statistics" in kinds
    assert "funding_status" not in kinds  # donor relations and coordinators only
    assert b'data-testid="report-request-form"' in response.content


def test_requesting_a_report_builds_it_and_lists_it_with_a_download_button(
    client_for, officer_kz, seizures, django_capture_on_commit_callbacks
):
    client = client_for(officer_kz)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:list"), form_data())
    assert response.status_code == 302
    report = ReportRequest.objects.get()
    assert report.requested_by == officer_kz and report.status == "succeeded"
    page = client.get(reverse("reports:list")).content.decode()
    assert f'data-testid="download-{report.pk}"' in page
    assert 'hx-trigger="every 2s"' not in page  # nothing pending: no polling
    download = client.get(report.get_download_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_a_pending_report_is_polled_every_two_seconds(client_for, officer_kz, django_capture_on_commit_callbacks):
    client = client_for(officer_kz)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("reports:list"), form_data())
    report = ReportRequest.objects.get()
    page = client.get(reverse("reports:list")).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'hx-get="/reports/?partial=1&amp;poll=1"' in page
    # Backing off: every poll asks a little later, up to 30 s.
    later = client.get(reverse("reports:list"), {"partial": 1, "poll": 3}).content.decode()
    assert 'hx-trigger="every 7s"' in later and "poll=4" in later
    assert 'hx-trigger="every 30s"' in client.get(reverse("reports:list"), {"partial": 1, "poll": 20}).content.decode()
    partial = client.get(reverse("reports:list"), headers={"HX-Request": "true"})
    assert partial.templates[0].name == "reports/includes/report_table.html"
    assert b"<html" not in partial.content
    assert b"Queued" in partial.content
    detail = client.get(report.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in detail and 'data-status="queued"' in detail
    assert client.get(report.get_download_url()).status_code == 404  # no file yet


def test_a_failed_report_shows_its_reason(client_for, officer_kz, seizures, build):
    report = build(officer_kz)
    ReportRequest.objects.filter(pk=report.pk).update(status="failed", error="The database was unavailable.")
    page = client_for(officer_kz).get(report.get_absolute_url()).content.decode()
    assert "The database was unavailable." in page
    assert 'data-testid="download"' not in page


def test_bad_input_gets_form_errors_and_nothing_is_saved(client_for, officer_kz):
    response = client_for(officer_kz).post(reverse("reports:list"), form_data(date_to="2025-01-01"))
    assert response.status_code == 400
    assert "date_to" in response.context["form"].errors
    assert ReportRequest.objects.count() == 0


def test_another_states_officer_gets_404_for_detail_and_download(client_for, officer_kz, officer_uz, build, seizures):
    report = build(officer_kz)
    client = client_for(officer_uz)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(report.get_download_url()).status_code == 404
    assert str(report.pk) not in [str(r.pk) for r in client.get(reverse("reports:list")).context["object_list"]]


def test_russian_translation_of_the_page(client_for, officer_kz):
    client = client_for(officer_kz)
    response = client.get(reverse("reports:list"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Мои отчёты" in response.content.decode()


@pytest.mark.parametrize("page_size", [10, 100])
def test_the_list_costs_the_same_number_of_queries_at_any_page_size(
    client_for, officer_kz, kz, page_size, django_assert_num_queries
):
    from reports.services import state_principal

    principal = state_principal(kz)
    ReportRequest.objects.bulk_create(
        [
            ReportRequest(kind="seizure_statistics", parameters=PERIOD, format="csv", requested_by=officer_kz)
            for _ in range(page_size)
        ]
        + [
            ReportRequest(
                kind="seizure_statistics",
                parameters=PERIOD,
                format="xlsx",
                requested_by=principal,
                owner_state=kz,
                status="succeeded",
            )
            for _ in range(page_size)
        ]
    )
    client = client_for(officer_kz)
    client.get(reverse("reports:list"))  # warm the session and permission caches
    with django_assert_num_queries(PARTIAL_QUERIES):
        response = client.get(reverse("reports:list"), {"page_size": page_size}, headers={"HX-Request": "true"})
    assert len(response.context["object_list"]) == page_size
    with django_assert_num_queries(FULL_PAGE_QUERIES):
        response = client.get(reverse("reports:list"), {"page_size": page_size})
    assert len(response.context["object_list"]) == page_size


def test_each_role_is_offered_the_kinds_that_can_hold_data_for_it(officer_kz, coordinator, analyst, donor_relations):
    from reports.kinds import kinds_for

    def codes(user):
        return {k.code for k in kinds_for(user)}

    everything_but_funding = {"seizure_statistics", "seizure_register", "rfi_compliance", "operations_summary"}
    assert codes(officer_kz) == everything_but_funding
    assert codes(coordinator) == everything_but_funding | {"funding_status"}
    assert codes(analyst) == everything_but_funding
    assert codes(donor_relations) == {"funding_status"}
