"""Turn a bounded wait (database lock or statement timeout) or an unreachable
broker into 503 Service Unavailable with Retry-After, instead of a 500.

JSON under /api/ (a partner system parses it), a short page elsewhere. The
request's transaction has been rolled back by then: the client may retry.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from .db import is_bounded_wait, retry_after_seconds

logger = logging.getLogger(__name__)

BROKER_RETRY_AFTER = 30


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_bounded_wait(exception):
            message = _("The database is busy; nothing was saved. Please try again in a few seconds.")
            retry_after = retry_after_seconds()
        elif isinstance(exception, BrokerError):
            message = _("The task queue is unavailable; please try again shortly.")
            retry_after = BROKER_RETRY_AFTER
        else:
            return None
        logger.warning("%s %s: 503 (%s)", request.method, request.path, exception)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(retry_after)
        return response
