"""Request guards of the foundation: refuse malformed paths, keep record content out of caches.

Each answers for the whole portal at one place, so no view has to remember it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .errors import error_response

# C0 controls and DEL: no route of the portal takes them, and PostgreSQL refuses
# NUL in any text value (psycopg raises ValueError, which would surface as a 500).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# Longer than any real route of the portal; refused before routing and any query.
MAX_PATH_LENGTH = 2048
# Every id of the portal is a bigint: a longer number names nothing. Refused here,
# since some databases raise on it (SQLite: OverflowError) instead of finding nothing.
BIGINT_MAX = 2**63 - 1
_NUMBER_SEGMENT = re.compile(r"(?<![^/.])[0-9]{19,}(?![^/.])")


class PathGuardMiddleware:
    """400 for a path that holds control characters (NUL above all) or is absurdly long;
    404 for a path segment that is a number beyond bigint (no object has such an id).

    The path is checked after percent-decoding (Django's `path_info`), so `/states/%00/`
    is refused here, before URL resolution, for every route at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if len(path) > MAX_PATH_LENGTH or _CONTROL_CHARACTERS.search(path):
            return error_response(request, 400, _("The address holds characters or a length no page accepts."))
        if any(int(number) > BIGINT_MAX for number in _NUMBER_SEGMENT.findall(path)):
            return error_response(request, 404, _("Not found."))
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response that may carry record content.

    That is every response to a signed-in user or an API token (DRF sets
    `request.user` on the Django request once it has authenticated a token),
    every API response and every download. Static assets never reach this
    middleware: WhiteNoise answers them earlier in the chain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or request.path_info.startswith("/api/")
            or response.get("Content-Disposition", "").startswith("attachment")
        ):
            # no-store alone is enough for current browsers; private and no-cache
            # also keep shared proxies and old HTTP/1.0 caches from storing it.
            patch_cache_control(response, no_store=True, private=True, no_cache=True, max_age=0)
            response["Pragma"] = "no-cache"
        return response
