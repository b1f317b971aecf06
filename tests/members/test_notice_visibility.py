"""The permission core, proved on notices: every path answers only what is shared."""

import pytest
from django.urls import reverse

from members.models import Notice
from tests.factories import NoticeFactory


@pytest.fixture
def notice_for_kz(officer_kz, kz):
    notice = NoticeFactory(title="For Kazakhstan", author=officer_kz, originating_state=kz)
    notice.share_with([kz])
    return notice


@pytest.fixture
def notice_for_uz_only(officer_uz, uz):
    notice = NoticeFactory(title="For Uzbekistan only", author=officer_uz, originating_state=uz)
    notice.share_with([uz])
    return notice


def test_an_officer_sees_what_is_shared_with_their_state(officer_kz, notice_for_kz, notice_for_uz_only):
    assert list(Notice.objects.visible_to(officer_kz)) == [notice_for_kz]


def test_ui_list_shows_only_shared_notices(client_for, officer_kz, notice_for_kz, notice_for_uz_only):
    response = client_for(officer_kz).get(reverse("members:notice-list"))
    assert response.status_code == 200
    assert b"For Kazakhstan" in response.content
    assert b"For Uzbekistan only" not in response.content


def test_ui_detail_of_another_states_notice_is_404(client_for, officer_kz, notice_for_uz_only):
    response = client_for(officer_kz).get(notice_for_uz_only.get_absolute_url())
    assert response.status_code == 404


def test_api_list_and_detail_follow_the_same_rule(api_for, officer_kz, notice_for_kz, notice_for_uz_only):
    api = api_for(officer_kz)
    titles = [n["title"] for n in api.get("/api/v1/notices/").json()["results"]]
    assert titles == ["For Kazakhstan"]
    assert api.get(f"/api/v1/notices/{notice_for_uz_only.pk}/").status_code == 404
    assert api.get(f"/api/v1/notices/{notice_for_kz.pk}/").status_code == 200


def test_moving_a_user_to_another_state_moves_their_visibility(officer_kz, uz, notice_for_kz, notice_for_uz_only):
    officer_kz.state = uz
    officer_kz.save()
    assert list(Notice.objects.visible_to(officer_kz)) == [notice_for_uz_only]
    assert officer_kz.groups.filter(state__code="KZ").count() == 0


def test_a_coordinator_with_the_global_permission_sees_all(coordinator, notice_for_kz, notice_for_uz_only):
    assert set(Notice.objects.visible_to(coordinator)) == {notice_for_kz, notice_for_uz_only}


def test_anonymous_gets_the_login_page_or_401(client, api_client, notice_for_kz):
    response = client.get(notice_for_kz.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert api_client.get("/api/v1/notices/").status_code in (401, 403)
