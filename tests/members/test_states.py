"""The state directory: lists, filters, detail, status history, bad input."""

import pytest
from django.urls import reverse

from members.models import State
from members.roles import Role
from tests.factories import AgencyFactory, StateFactory, UserFactory


@pytest.fixture
def admin_user(db):
    return UserFactory(username="administrator", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def many_states(db):
    return [StateFactory(status=State.Status.OBSERVER) for _ in range(120)]


def test_state_list_filters_by_status(client_for, officer_kz, de, uz):
    response = client_for(officer_kz).get(reverse("members:state-list"), {"status": "observer"})
    names = [s.code for s in response.context["object_list"]]
    assert names == ["DE"]


def test_state_detail_shows_agencies_liaison_officers_and_status_history(client_for, officer_kz, kz):
    AgencyFactory(state=kz, name_en="Customs of Kazakhstan")
    kz.status = State.Status.FORMER
    kz.save(status_note="test")
    response = client_for(officer_kz).get(reverse("members:state-detail", args=["KZ"]))
    assert response.status_code == 200
    assert b"Customs of Kazakhstan" in response.content
    assert b"officer-kz" in response.content or b"Officer" in response.content
    history = list(kz.status_history.values_list("old_status", "new_status"))
    assert history == [("member", "former"), ("", "member")]


def test_state_list_issues_the_same_number_of_queries_at_10_and_100(client_for, officer_kz, many_states):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(officer_kz)
    client.get(reverse("members:state-list"))  # warm the session
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("members:state-list"), {"page_size": size})
        assert len(response.context["object_list"]) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_states_api_issues_the_same_number_of_queries_at_10_and_100(api_for, officer_kz, many_states):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(officer_kz)
    counts = []
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/states/", {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_states_api_uses_cursor_pagination(api_for, officer_kz, many_states):
    first = api_for(officer_kz).get("/api/v1/states/", {"page_size": 50}).json()
    assert set(first) == {"next", "previous", "results"}
    second = api_for(officer_kz).get(first["next"]).json()
    assert {s["code"] for s in first["results"]}.isdisjoint({s["code"] for s in second["results"]})


def test_agencies_api_filters_by_state_code(api_for, officer_kz, kz, uz):
    AgencyFactory(state=kz, name_en="Police KZ")
    AgencyFactory(state=uz, name_en="Police UZ")
    results = api_for(officer_kz).get("/api/v1/agencies/", {"state": "kz"}).json()["results"]
    assert [a["name_en"] for a in results] == ["Police KZ"]


def test_a_duplicate_state_code_is_a_form_error_and_nothing_is_saved(client_for, admin_user, kz):
    response = client_for(admin_user).post(
        reverse("members:state-create"),
        {"code": "KZ", "name_en": "Again", "name_ru": "Снова", "status": "member"},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert State.objects.filter(code="KZ").count() == 1


def test_a_duplicate_state_code_is_an_api_400_naming_the_field(api_for, admin_user, kz):
    response = api_for(admin_user).post(
        "/api/v1/states/", {"code": "KZ", "name_en": "Again", "name_ru": "Снова", "status": "member"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert State.objects.filter(code="KZ").count() == 1


def test_an_administrator_adds_a_state_and_its_group_exists(api_for, admin_user):
    response = api_for(admin_user).post(
        "/api/v1/states/",
        {"code": "MN", "name_en": "Mongolia", "name_ru": "Монголия", "status": "observer"},
        format="json",
    )
    assert response.status_code == 201
    assert State.objects.get(code="MN").group.name == "state:MN"


def test_a_liaison_officer_cannot_add_states(api_for, officer_kz):
    response = api_for(officer_kz).post(
        "/api/v1/states/",
        {"code": "MN", "name_en": "Mongolia", "name_ru": "Монголия", "status": "observer"},
        format="json",
    )
    assert response.status_code == 403
    assert not State.objects.filter(code="MN").exists()


def test_a_lowercase_code_is_refused(api_for, admin_user):
    response = api_for(admin_user).post(
        "/api/v1/states/",
        {"code": "mn", "name_en": "Mongolia", "name_ru": "Монголия", "status": "observer"},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()
