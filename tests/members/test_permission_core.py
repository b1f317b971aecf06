"""The permission core itself: query shape, grants, writes, form choices."""

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.permissions import restrict_choice_fields
from members.models import Notice, NoticeGroupObjectPermission
from tests.factories import NoticeFactory


@pytest.fixture
def kz_notice(officer_kz, kz, uz):
    notice = NoticeFactory(title="KZ to UZ", author=officer_kz, originating_state=kz)
    notice.share_with([uz])
    notice.share_with([kz], actions=("view", "change"))
    return notice


def test_visible_to_is_an_exists_over_the_direct_fk_table_with_literal_group_ids(officer_kz, kz):
    sql = str(Notice.objects.visible_to(officer_kz).query)
    assert "EXISTS" in sql
    assert NoticeGroupObjectPermission._meta.db_table in sql
    assert " OR " not in sql  # guardian's OR of two IN-subqueries defeats the planner
    assert str(kz.group_id) in sql


def test_grants_go_to_state_groups_in_the_direct_fk_table_only(kz_notice, kz, uz):
    from guardian.models import GroupObjectPermission, UserObjectPermission

    grants = NoticeGroupObjectPermission.objects.filter(content_object=kz_notice)
    assert {g.group.name for g in grants} == {"state:KZ", "state:UZ"}
    assert not GroupObjectPermission.objects.exists()
    assert not UserObjectPermission.objects.exists()


def test_sharing_twice_is_idempotent_and_unshare_withdraws(kz_notice, uz, officer_uz):
    kz_notice.share_with([uz])
    assert NoticeGroupObjectPermission.objects.filter(content_object=kz_notice, group=uz.group).count() == 1
    kz_notice.unshare([uz])
    assert not Notice.objects.visible_to(officer_uz).exists()


def test_set_shared_states_adds_the_new_and_removes_the_rest(kz_notice, kz, uz, kg):
    kz_notice.set_shared_states([kz, kg])
    assert set(kz_notice.shared_states().values_list("code", flat=True)) == {"KZ", "KG"}


def test_queryset_share_with_grants_every_row(officer_kz, kz, kg, officer_kg):
    NoticeFactory.create_batch(3, author=officer_kz, originating_state=kz)
    Notice.objects.all().share_with([kg])
    assert Notice.objects.visible_to(officer_kg).count() == 3
    Notice.objects.all().unshare([kg])
    assert Notice.objects.visible_to(officer_kg).count() == 0


def test_the_originating_state_may_edit_a_recipient_may_not_an_outsider_gets_404(
    api_for, kz_notice, officer_kz, officer_uz, officer_kg
):
    url = f"/api/v1/notices/{kz_notice.pk}/"
    assert api_for(officer_uz).patch(url, {"title": "hijacked"}, format="json").status_code == 403
    assert api_for(officer_kg).patch(url, {"title": "hijacked"}, format="json").status_code == 404
    assert api_for(officer_kz).patch(url, {"title": "KZ to UZ, corrected"}, format="json").status_code == 200
    kz_notice.refresh_from_db()
    assert kz_notice.title == "KZ to UZ, corrected"


def test_notices_cannot_be_deleted_through_the_api(api_for, kz_notice, coordinator):
    response = api_for(coordinator).delete(f"/api/v1/notices/{kz_notice.pk}/")
    assert response.status_code in (403, 405)
    assert Notice.objects.filter(pk=kz_notice.pk).exists()


def test_an_officer_creates_a_notice_through_the_ui_and_the_chosen_state_receives_it(
    client_for, officer_kz, uz, officer_uz, officer_kg, kg
):
    response = client_for(officer_kz).post(
        reverse("members:notice-create"), {"title": "Heads-up", "body": "Convoy", "shared_with": [uz.pk]}
    )
    notice = Notice.objects.get(title="Heads-up")
    assert response.status_code == 302
    assert Notice.objects.visible_to(officer_uz).filter(pk=notice.pk).exists()
    assert not Notice.objects.visible_to(officer_kg).filter(pk=notice.pk).exists()


def test_form_choice_fields_are_restricted_to_what_the_user_may_see(officer_kg, kz_notice, kg, officer_kz):
    own = NoticeFactory(title="KG own", author=officer_kz, originating_state=kg)
    own.share_with([kg])

    class PickNotice(forms.Form):
        notice = forms.ModelChoiceField(queryset=Notice.objects.all())

    form = PickNotice(data={"notice": kz_notice.pk})
    restrict_choice_fields(form, officer_kg)
    assert list(form.fields["notice"].queryset) == [own]
    assert not form.is_valid()


@pytest.mark.parametrize("path", ["/notices/", "/api/v1/notices/"])
def test_notice_lists_issue_the_same_number_of_queries_at_10_and_100(path, client_for, officer_kz, kz):
    for n in range(100):
        NoticeFactory(title=f"n{n}", author=officer_kz, originating_state=kz).share_with([kz])
    client = client_for(officer_kz)
    client.get(path)
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, {"page_size": size})
        assert response.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_admin_site_lists_states_agencies_and_users(admin_client, kz):
    for path in (
        "/admin/members/state/",
        "/admin/members/agency/",
        "/admin/members/user/",
        f"/admin/members/state/{kz.pk}/change/",
    ):
        assert admin_client.get(path).status_code == 200, path
