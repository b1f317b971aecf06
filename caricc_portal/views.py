"""The project's own pages: the home page (panels from every app) and health."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.views.generic import TemplateView


class HomeView(LoginRequiredMixin, TemplateView):
    """A home page per role: each app contributes panels for the roles it serves."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from django.apps import apps

        context = super().get_context_data(**kwargs)
        panels = []
        for config in apps.get_app_configs():
            provider = getattr(config, "home_panels", None)
            if provider is not None:
                panels.extend(provider(self.request))
        context["panels"] = panels
        context["roles"] = sorted(self.request.user.role_names)
        return context


def healthz(request):
    """Database, broker and worker status, for load balancers and operators."""
    from caricc_portal.celery import app

    status: dict[str, Any] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:
        status["database"] = f"error: {exc.__class__.__name__}"
        healthy = False

    if not settings.CELERY_BROKER_URL:
        status["broker"] = "eager (in-process)"
        status["worker"] = "eager (in-process)"
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as exc:
            status["broker"] = f"error: {exc.__class__.__name__}"
            healthy = False
        try:
            replies = app.control.ping(timeout=1.0) if status["broker"] == "ok" else []
            status["worker"] = f"ok ({len(replies)})" if replies else "none responding"
        except Exception as exc:
            status["worker"] = f"error: {exc.__class__.__name__}"
    status["status"] = "ok" if healthy else "error"
    return JsonResponse(status, status=200 if healthy else 503)
