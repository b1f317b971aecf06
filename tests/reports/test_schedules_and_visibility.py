"""Monthly state reports (django-celery-beat) and who may see which report."""

import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from members.models import State
from reports import tasks
from reports.models import ReportRequest
from reports.scheduling import SYNC_NAME, schedule_name, sync_monthly_schedules
from reports.services import request_monthly_state_report, state_principal
from tests.reports.conftest import at, make_seizure, read_xlsx

pytestmark = pytest.mark.django_db


def test_the_daily_sync_task_is_installed_by_the_migration():
    task = PeriodicTask.objects.get(name=SYNC_NAME)
    assert task.task == "reports.tasks.schedule_monthly_reports" and task.enabled


def test_one_monthly_schedule_per_member_state(kz, uz, de):
    assert sync_monthly_schedules() == 2
    names = set(
        PeriodicTask.objects.filter(task="reports.tasks.build_monthly_state_report").values_list("name", flat=True)
    )
    assert names == {schedule_name("KZ"), schedule_name("UZ")}
    task = PeriodicTask.objects.get(name=schedule_name("KZ"))
    assert (task.crontab.day_of_month, task.crontab.hour, task.crontab.minute) == ("1", "3", "0")
    assert '"state_code": "KZ"' in task.kwargs
    # Again: nothing duplicated. A state that leaves membership loses its schedule.
    uz.status = State.Status.FORMER
    uz.save()
    assert sync_monthly_schedules() == 1
    assert not PeriodicTask.objects.get(name=schedule_name("UZ")).enabled
    assert PeriodicTask.objects.filter(task="reports.tasks.build_monthly_state_report").count() == 2


@pytest.fixture
def monthly_kz(kz, seizures, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = request_monthly_state_report(kz, today=dt.date(2026, 3, 3))
    report.refresh_from_db()
    return report


def test_the_monthly_task_builds_last_months_statistics_owned_by_the_state(monthly_kz, kz):
    assert monthly_kz.scheduled and monthly_kz.owner_state == kz
    assert monthly_kz.parameters["date_from"] == "2026-02-01"
    assert monthly_kz.parameters["date_to"] == "2026-02-28"
    assert monthly_kz.status == "succeeded", monthly_kz.error
    assert monthly_kz.format == "xlsx"
    rows = read_xlsx(monthly_kz)
    # February as Kazakhstan sees it: its own heroin and what Uzbekistan shared with it,
    # never Uzbekistan's unshared 1000 kg.
    assert {(r[0], r[3]) for r in rows[1:]} == {
        ("KZ", "Heroin"),
        ("UZ", "Cannabis resin (hashish)"),
        ("UZ", "Methamphetamine"),
    }


def test_the_monthly_task_is_idempotent_per_state_and_month(monthly_kz, kz):
    again = request_monthly_state_report(kz, today=dt.date(2026, 3, 20))
    assert again.pk == monthly_kz.pk
    assert ReportRequest.objects.count() == 1


def test_the_beat_entry_point_takes_a_state_code(kz, seizures, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pk = tasks.build_monthly_state_report.apply(kwargs={"state_code": "KZ"}).get()
    assert ReportRequest.objects.get(pk=pk).owner_state == kz
    assert tasks.build_monthly_state_report.apply(kwargs={"state_code": "DE"}).get() is None


def test_the_states_officers_see_it_other_states_get_404(monthly_kz, officer_kz, officer_uz, client_for, api_for):
    assert list(ReportRequest.objects.visible_to(officer_kz)) == [monthly_kz]
    assert client_for(officer_kz).get(monthly_kz.get_download_url()).status_code == 200
    assert api_for(officer_uz).get(f"/api/v1/reports/{monthly_kz.pk}/").status_code == 404
    assert api_for(officer_uz).get(f"/api/v1/reports/{monthly_kz.pk}/download/").status_code == 404


def test_coordinators_and_analysts_see_their_own_and_every_scheduled_report(
    monthly_kz, coordinator, analyst, officer_kz, build, donor_relations
):
    adhoc = build(officer_kz)
    mine = build(coordinator)
    assert set(ReportRequest.objects.visible_to(coordinator)) == {monthly_kz, mine}
    assert set(ReportRequest.objects.visible_to(analyst)) == {monthly_kz}
    # An officer's own report stays theirs; donor relations see no state's schedule.
    assert adhoc not in ReportRequest.objects.visible_to(coordinator)
    assert list(ReportRequest.objects.visible_to(donor_relations)) == []


def test_the_api_says_which_reports_are_scheduled_and_filters_on_it(monthly_kz, coordinator, build, api_for):
    mine = build(coordinator)
    api = api_for(coordinator)

    def listed(query: str) -> dict[int, bool]:
        response = api.get(f"/api/v1/reports/{query}")
        assert response.status_code == 200, response.content
        return {row["id"]: row["scheduled"] for row in response.json()["results"]}

    assert listed("") == {monthly_kz.pk: True, mine.pk: False}
    assert listed("?scheduled=true") == {monthly_kz.pk: True}
    assert listed("?scheduled=false") == {mine.pk: False}


def test_the_principal_of_a_state_sees_exactly_what_the_state_was_given(kz, officer_kz, officer_uz, uz):
    principal = state_principal(kz)
    assert state_principal(kz).pk == principal.pk  # one per state
    assert not principal.has_usable_password()
    from intel.models import IntelRecord

    shared = make_seizure(officer_uz, uz, shared_with=[kz], occurred_at=at(2026, 2, 2))
    hidden = make_seizure(officer_uz, uz, occurred_at=at(2026, 2, 2))
    visible = set(IntelRecord.objects.visible_to(principal))
    assert shared in visible and hidden not in visible
    assert visible == set(IntelRecord.objects.visible_to(officer_kz))


def test_an_anonymous_or_inactive_user_sees_nothing(officer_kz, build, seizures):
    from django.contrib.auth.models import AnonymousUser

    build(officer_kz)
    assert not ReportRequest.objects.visible_to(AnonymousUser()).exists()
    officer_kz.is_active = False
    assert not ReportRequest.objects.visible_to(officer_kz).exists()
