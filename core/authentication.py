"""Session authentication for the API that honours the second factor.

Kept apart from core.api: DRF imports authentication classes while its
own views module loads, so this module must not import rest_framework.views.
"""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session authentication that, with REQUIRE_2FA on, accepts only verified sessions."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if settings.REQUIRE_2FA and not (hasattr(user, "is_verified") and user.is_verified()):
            raise exceptions.PermissionDenied("Two-factor verification required.")
        return result
