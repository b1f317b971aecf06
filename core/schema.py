"""OpenAPI extension for the foundation's session authentication (drf-spectacular)."""

from drf_spectacular.authentication import SessionScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "core.authentication.VerifiedSessionAuthentication"
