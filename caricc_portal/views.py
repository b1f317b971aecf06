"""The project's own pages: the home page (panels from every app) and health."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.views.generic import TemplateView

from members.roles import Role

from . import health


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
        # "Waiting for me" (notifications' panels marked waiting) shown first, in their own row.
        context["waiting_panels"] = [p for p in panels if p.get("waiting")]
        context["roles"] = sorted(str(Role(name).label) for name in self.request.user.role_names)
        return context


def _is_staff(request) -> bool:
    # No session cookie, no query: an anonymous probe never touches the database.
    return request.user.is_authenticated and request.user.is_staff


def healthz(request):
    """Liveness: this process answers. No database, no broker, no network (caricc_portal.health).

    Anonymous callers (load balancers, strangers) read only {"status": "ok"};
    staff also see the process's own details.
    """
    if _is_staff(request):
        return JsonResponse(health.liveness())
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: database and broker, bounded; 503 when either fails. Details for staff only."""
    ready, checks = health.readiness()
    body: dict[str, Any] = {"status": "ok" if ready else "fail"}
    if _is_staff(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if ready else 503)


class StatusView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Staff page: readiness, workers (ping and active tasks) and queue lengths.

    Asking the workers takes up to a second: that is why it lives here and not in
    any probe.
    """

    template_name = "status.html"

    def test_func(self) -> bool:
        return self.request.user.is_staff

    def handle_no_permission(self):
        # Signed in but not staff: 403. Anonymous: to the sign-in page.
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return super().handle_no_permission()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ready, checks = health.readiness()
        context.update(ready=ready, checks=checks, process=health.liveness())
        broker_url = settings.CELERY_BROKER_URL
        context["broker_configured"] = bool(broker_url)
        if broker_url:
            try:
                context["workers"] = health.worker_status()["workers"]
            except Exception as exc:  # the page reports a broker fault instead of failing
                context["workers_error"] = exc.__class__.__name__
            try:
                context["queues"] = health.queue_lengths(broker_url, list(settings.CELERY_QUEUE_NAMES))
            except Exception as exc:
                context["queues_error"] = exc.__class__.__name__
        return context
