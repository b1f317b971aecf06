"""Base UI view mixins and the cross-cutting pages (home, health).

Every object view takes its queryset from `Model.objects.visible_to(user)`, so an
object outside the user's scope is simply not found (404), never refused (403,
which would confirm it exists). Writes then check the matching object permission.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, transaction
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from members.sharing import has_object_permission


class VisibleQuerysetMixin(LoginRequiredMixin):
    """Take the queryset from `visible_to(request.user)`; there is no other way in.

    Subclasses set `model`, and may set `select_related` / `prefetch_related`
    to keep query counts constant. `object_permission` names the object
    permission (e.g. "change") that a write view requires.
    """

    model: Any = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    object_permission: str | None = None
    visibility_action = "view"

    def get_base_queryset(self):
        """The model's queryset before visibility (subclasses add annotations here)."""
        return self.model._default_manager.all()

    def get_queryset(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model")
        qs = self.get_base_queryset().visible_to(self.request.user, self.visibility_action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.object_permission:
            check_object_permission(self.request.user, self.object_permission, obj)
        return obj


class PageSizeMixin:
    """List views: `?page_size=N` (1-500, default 50), like the API."""

    paginate_by = 50
    max_page_size = 500

    def get_paginate_by(self, queryset):
        try:
            return max(1, min(int(self.request.GET.get("page_size", self.paginate_by)), self.max_page_size))
        except ValueError:
            return self.paginate_by


def check_object_permission(user, action: str, obj) -> None:
    """Raise PermissionDenied unless `user` may `action` on `obj` (see has_object_permission).

    Call only on objects already fetched through visible_to(): the user may
    know the object exists, so 403 leaks nothing here.
    """
    if not has_object_permission(user, action, obj):
        raise PermissionDenied


def assert_in_scope(user, *objs) -> None:
    """After a write, inside its transaction: the objects must still be visible to the
    user, or PermissionDenied rolls the transaction back (NetBox re-checks the same
    way). Used by the UI's RestrictedFormMixin and the API's base viewset alike; one
    query for any number of objects of one model."""
    if not objs:
        return
    manager = type(objs[0])._default_manager
    ids = {obj.pk for obj in objs}
    if manager.visible_to(user).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied(_("The object would fall outside your scope; nothing was saved."))


def get_visible_or_404(model, user, action: str = "view", **lookup):
    """Fetch one object through visible_to(), or raise Http404 (no existence leak)."""
    try:
        return model._default_manager.visible_to(user, action).get(**lookup)
    except model.DoesNotExist as exc:
        raise Http404 from exc


def restrict_choice_fields(form, user) -> None:
    """Limit every model choice field of a form to what the user may see.

    A dropdown listing records of other states would leak them as surely as a
    list page would (NetBox's restrict in forms/utils.py does the same).
    """
    for field in form.fields.values():
        if isinstance(field, (ModelChoiceField, ModelMultipleChoiceField)):
            qs = field.queryset
            if hasattr(qs, "visible_to"):
                field.queryset = qs.visible_to(user)


class RestrictedFormMixin:
    """For create/update views: restrict choice fields, save atomically, re-check scope.

    Override `save_form(form)` to write related rows (grants, items) in the same
    transaction. After saving, the object must still be visible to the user
    (NetBox re-checks the same way); otherwise everything is rolled back.
    """

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        restrict_choice_fields(form, self.request.user)
        return form

    def save_form(self, form):
        return form.save()

    def form_valid(self, form):
        with transaction.atomic():
            self.object = self.save_form(form)
            assert_in_scope(self.request.user, self.object)
        return HttpResponseRedirect(self.get_success_url())


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
