"""OpenAPI extensions for our authentication classes (drf-spectacular)."""

from drf_spectacular.authentication import SessionScheme, TokenScheme


class VerifiedSessionScheme(SessionScheme):
    target_class = "caricc_portal.authentication.VerifiedSessionAuthentication"


class HashedTokenScheme(TokenScheme):
    target_class = "members.authentication.HashedTokenAuthentication"
    name = "tokenAuth"
