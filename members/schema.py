"""OpenAPI extension for the partner systems' hashed tokens (drf-spectacular)."""

from drf_spectacular.authentication import TokenScheme


class HashedTokenScheme(TokenScheme):
    target_class = "members.authentication.HashedTokenAuthentication"
    name = "tokenAuth"
