"""Lockout per username and address together; tries left on the sign-in page; API throttles."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from members.models import APIToken
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "10.20.30.40"  # one national office behind one NAT address
ELSEWHERE = "10.99.0.1"


def _sign_in(client, username: str, password: str, address: str = OFFICE):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_one_users_failures_lock_that_user_at_that_address_and_no_one_else(client, settings, officer_kz, officer_uz):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, officer_kz.username, "wrong password")
    locked = _sign_in(client, officer_kz.username, PASSWORD)
    assert locked.status_code == 429  # django-axes' lockout answer, even with the right password
    assert "_auth_user_id" not in client.session

    # A colleague behind the same address signs in as usual.
    response = _sign_in(client, officer_uz.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer_uz.pk)


def test_the_locked_username_still_signs_in_from_another_address(client, settings, officer_kz):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, officer_kz.username, "wrong password")
    assert _sign_in(client, officer_kz.username, PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_sign_in_page_says_how_many_tries_are_left(client, settings, officer_kz):
    response = _sign_in(client, officer_kz.username, "wrong password")
    assert response.status_code == 200
    assert response.context["tries_left"] == settings.AXES_FAILURE_LIMIT - 1
    assert f"{settings.AXES_FAILURE_LIMIT - 1} tries left" in response.content.decode()
    response = _sign_in(client, officer_kz.username, "wrong again")
    assert response.context["tries_left"] == settings.AXES_FAILURE_LIMIT - 2
    # The first visit shows no count.
    assert "tries left" not in client.get("/accounts/login/").content.decode()


def test_the_tries_left_message_is_translated(client, officer_kz):
    client.cookies["django_language"] = "ru"
    response = client.post(
        "/accounts/login/", {"username": officer_kz.username, "password": "x"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "попыт" in response.content.decode()


@pytest.fixture
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_a_signed_in_user_is_throttled_with_429_retry_after_and_json(
    fresh_throttles, settings, client_for, officer_kz, officer_uz
):
    _rates(settings, user="3/minute")
    client = client_for(officer_kz)
    assert [client.get("/api/v1/states/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/states/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()
    # Per user: another user is not held up by the first one's budget.
    client.logout()
    assert client_for(officer_uz).get("/api/v1/states/").status_code == 200


def test_each_api_token_has_its_own_budget(fresh_throttles, settings, partner_kz):
    from rest_framework.test import APIClient

    _rates(settings, token="2/minute", user="100/minute")
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {APIToken.issue(partner_kz, name='a')[1]}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {APIToken.issue(partner_kz, name='b')[1]}")
    assert [first.get("/api/v1/states/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/states/").status_code == 200


def test_the_account_budget_covers_all_of_its_tokens(fresh_throttles, settings, partner_kz):
    from rest_framework.test import APIClient

    _rates(settings, token="100/minute", user="2/minute")
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {APIToken.issue(partner_kz, name='a')[1]}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {APIToken.issue(partner_kz, name='b')[1]}")
    assert first.get("/api/v1/states/").status_code == 200
    assert second.get("/api/v1/states/").status_code == 200
    assert second.get("/api/v1/states/").status_code == 429
