"""Cross-cutting middleware: request ids, session lifetime, enforced two-factor."""

import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class RequestIdMiddleware:
    """Stamp each request with an id (echoed as X-Request-ID) for logs and history."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime of browser sessions, enforced on the server.

    Rather than saving the session on every request (SESSION_SAVE_EVERY_REQUEST,
    three statements per page), we note the last activity at most once a minute:
    the session is then saved and its cookie renewed. A session idle for longer
    than SESSION_COOKIE_AGE, or older than SESSION_ABSOLUTE_LIFETIME, is ended.
    """

    STARTED = "_caricc_session_started"
    LAST_SEEN = "_caricc_last_seen"
    RESOLUTION = 60  # seconds between two saves of the activity mark

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            session = request.session
            now = time.time()
            started = session.get(self.STARTED)
            last_seen = session.get(self.LAST_SEEN, started)
            if started is None:
                session[self.STARTED] = session[self.LAST_SEEN] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME or now - last_seen > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect(settings.LOGIN_URL)
            elif now - last_seen > self.RESOLUTION:
                session[self.LAST_SEEN] = now
        return self.get_response(request)


# Paths a signed-in but not yet verified user may still reach.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/readyz", "/favicon.ico")


class Require2FAMiddleware:
    """With REQUIRE_2FA on, a browser session reaches nothing before its second factor.

    A user without a confirmed device is sent to the set-up page, one with a
    device to the verification page. API calls on such a session answer 403;
    partner systems use hashed tokens, which only partner accounts can get.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if settings.REQUIRE_2FA and user.is_authenticated and not user.is_verified():
            path = request.path_info
            if path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor verification required.")}, status=403)
            if not path.startswith(_OPEN_PREFIXES):
                from django_otp import devices_for_user

                if any(True for _d in devices_for_user(user, confirmed=True)):
                    return redirect(f"{reverse('two-factor-verify')}?next={request.get_full_path()}")
                return redirect("two-factor-setup")
        return self.get_response(request)
