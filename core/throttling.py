"""API throttling per signed-in user and per API token (429 with Retry-After).

DRF's SimpleRateThrottle copies the rates into a class attribute when the module
is imported; these classes read `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` on each
request instead, so a rate changed in settings (or in a test) takes effect at once.
Counters live in the default cache: with several web processes it must be a
shared one (CACHE_URL=redis://...), or each process counts on its own.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _LiveRateThrottle(SimpleRateThrottle):
    def __init__(self):
        """No rate read here: it is resolved per request in allow_request(), so a
        changed setting applies at once (DRF's base reads it at construction)."""

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        return rates.get(self.scope or "")

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class UserRateThrottle(_LiveRateThrottle):
    """Requests per account, whether by browser session or by any of its tokens, scope "user"."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None  # the API refuses anonymous requests before throttling
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenRateThrottle(_LiveRateThrottle):
    """Requests per API token of a partner system, scope "token" (each token its own budget)."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if token is None or not getattr(token, "pk", None):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
