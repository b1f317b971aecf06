"""Error answers: JSON on the API, Django's pages elsewhere.

The root URLconf names these as handler400/403/404/500, so an error raised
outside DRF (an unknown /api/ path, an unhandled exception, a refused path)
still answers an API client in JSON, never an HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(request: HttpRequest, status: int, detail: str, **extra) -> HttpResponse:
    """A JSON body `{"detail": ...}` for the API; a short plain-text page elsewhere."""
    if is_api_request(request):
        return JsonResponse({"detail": str(detail), **extra}, status=status)
    return HttpResponse(str(detail), status=status, content_type="text/plain; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html") -> HttpResponse:
    if is_api_request(request):
        return error_response(request, 400, _("Bad request."))
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request: HttpRequest, exception: Exception, template_name: str = "403.html") -> HttpResponse:
    if is_api_request(request):
        message = str(exception.args[0]) if getattr(exception, "args", None) else ""
        return error_response(request, 403, message or _("You do not have permission to perform this action."))
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request: HttpRequest, exception: Exception, template_name: str = "404.html") -> HttpResponse:
    if is_api_request(request):
        return error_response(request, 404, _("Not found."))
    return defaults.page_not_found(request, exception, template_name)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if is_api_request(request):
        # No detail of the fault: it is logged with the request id, not shown.
        return error_response(request, 500, _("Server error."), request_id=getattr(request, "id", ""))
    return defaults.server_error(request, template_name)
