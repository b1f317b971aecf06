"""Token authentication for partner systems: `Authorization: Token <key>`.

Keys are stored as SHA-256 hashes, expire, and can be revoked. A token is only
honoured for an active partner-system account, so no person gets around the
browser's second factor with one.

Who a token is (the token, its user with the user's state, groups and model
permissions) is cached for API_TOKEN_CACHE_SECONDS (5 s by default; 0 turns it
off) under the key's hash in Django's cache: a partner polling the API then costs
one query per request (its list) instead of four (token, groups, permissions,
list). The entry is deleted when the token is revoked and when its user is saved
or changes groups, so these take effect at once in the process that made the
change and everywhere when the cache is shared (CACHE_URL, Redis); with a
per-process cache another process honours the old answer for at most the TTL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import APIToken, _hash_key
from .roles import Role
from .scopes import check_token_scope

CACHE_PREFIX = "apitoken:"


def cache_key(key_hash: str) -> str:
    return CACHE_PREFIX + key_hash


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            # Scopes are checked on every call that a token authenticates (members.scopes).
            check_token_scope(request, result[1])
        return result

    def authenticate_credentials(self, key: str):
        ttl = getattr(settings, "API_TOKEN_CACHE_SECONDS", 0)
        key_hash = _hash_key(key)
        cached = cache.get(cache_key(key_hash)) if ttl else None
        if cached is not None and cached[0].is_active:
            token, user = cached
        else:
            token = APIToken.find(key)
            if token is None:
                raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
            user = token.user
            if not user.is_active or not user.has_role(Role.PARTNER_SYSTEM):
                raise exceptions.AuthenticationFailed(_("This account may not use API tokens."))
            if ttl:
                user.get_all_permissions()  # fill the permission cache that travels with the user
                cache.set(cache_key(key_hash), (token, user), ttl)
        # Record use at most once a minute, so a busy partner does not write on every call.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
            if ttl:
                cache.set(cache_key(key_hash), (token, user), ttl)
        return user, token


def forget_tokens_of(user_id: Any) -> None:
    """Drop the cached answers for every token of a user (after a change to the user)."""
    hashes = APIToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True)
    cache.delete_many([cache_key(h) for h in hashes])


def forget_token(token: APIToken) -> None:
    cache.delete(cache_key(token.key_hash))


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # A sign-in only stamps last_login: nothing a token's answer depends on.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if getattr(settings, "API_TOKEN_CACHE_SECONDS", 0) and instance.pk:
        forget_tokens_of(instance.pk)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not getattr(settings, "API_TOKEN_CACHE_SECONDS", 0) or not action.startswith("post_"):
        return
    if reverse:  # group.user_set.add(...): the users are in pk_set (all of them for a clear)
        user_ids = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
        for user_id in user_ids:
            forget_tokens_of(user_id)
    else:
        forget_tokens_of(instance.pk)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_save

    User = get_user_model()
    post_save.connect(_user_saved, sender=User, dispatch_uid="members.token_cache.user_saved")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="members.token_cache.groups")
