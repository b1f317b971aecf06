"""The API token answer is cached for a few seconds, and every change that matters drops it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import APIToken, User
from members.roles import Role

URL = "/api/v1/states/"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.API_TOKEN_CACHE_SECONDS = 5
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_client(partner_kz, api_client):
    _token, raw = APIToken.issue(partner_kz)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api_client.get(URL).status_code == 200  # the answer is now cached
    return api_client


def queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(URL).status_code
    return status, len(ctx.captured_queries)


def test_a_cached_token_skips_the_token_groups_and_permission_queries(token_client, settings):
    _status, cached = queries(token_client)
    settings.API_TOKEN_CACHE_SECONDS = 0
    status, uncached = queries(token_client)
    assert status == 200
    assert uncached - cached >= 2  # the token with its user, the groups (and permissions when asked)


def test_revoking_a_cached_token_takes_effect_at_once(token_client, partner_kz):
    APIToken.objects.get(user=partner_kz).revoke()
    assert token_client.get(URL).status_code == 401


def test_removing_the_partner_role_takes_effect_at_once(token_client, partner_kz):
    partner_kz.groups.clear()
    assert token_client.get(URL).status_code == 401


def test_removing_the_user_from_the_role_group_the_other_way_takes_effect(token_client, partner_kz):
    from django.contrib.auth.models import Group

    Group.objects.get(name=Role.PARTNER_SYSTEM).user_set.remove(partner_kz)
    assert token_client.get(URL).status_code == 401


def test_deactivating_the_account_takes_effect_at_once(token_client, partner_kz):
    user = User.objects.get(pk=partner_kz.pk)
    user.is_active = False
    user.save()
    assert token_client.get(URL).status_code == 401


def test_a_cached_token_is_refused_when_it_expires(token_client, partner_kz):
    from datetime import timedelta

    from django.utils import timezone

    from members.authentication import cache_key

    token = APIToken.objects.get(user=partner_kz)
    past = timezone.now() - timedelta(seconds=1)
    APIToken.objects.filter(pk=token.pk).update(expires_at=past)
    cached_token, user = cache.get(cache_key(token.key_hash))
    cached_token.expires_at = past  # as the cached copy reads once its time has come
    cache.set(cache_key(token.key_hash), (cached_token, user), 5)
    assert token_client.get(URL).status_code == 401
