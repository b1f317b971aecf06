"""Token authentication for partner systems: `Authorization: Token <key>`.

Keys are stored as SHA-256 hashes, expire, and can be revoked. A token is only
honoured for an active partner-system account, so no person gets around the
browser's second factor with one.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import APIToken
from .roles import Role


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = APIToken.find(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.user
        if not user.is_active or not user.has_role(Role.PARTNER_SYSTEM):
            raise exceptions.AuthenticationFailed(_("This account may not use API tokens."))
        # Record use at most once a minute, so a busy partner does not write on every call.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token
