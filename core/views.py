"""Base UI view mixins: every object view reads through `visible_to(user)`.

Every object view takes its queryset from `Model.objects.visible_to(user)`, so an
object outside the user's scope is simply not found (404), never refused (403,
which would confirm it exists). Writes then check the matching object permission.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import ModelFormMixin
from django.views.generic.list import MultipleObjectMixin

from .forms import TOKEN_FIELD
from .models import SubmissionToken
from .permissions import assert_in_scope, check_object_permission, restrict_choice_fields

# The mixins are written for Django's generic views; the type checker sees those bases.
_ObjectViewBase: Any = SingleObjectMixin if TYPE_CHECKING else object
_ListViewBase: Any = MultipleObjectMixin if TYPE_CHECKING else object
_FormViewBase: Any = ModelFormMixin if TYPE_CHECKING else object


class VisibleQuerysetMixin(LoginRequiredMixin, _ObjectViewBase):
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


class PageSizeMixin(_ListViewBase):
    """List views: `?page_size=N` (1-500, default 50), like the API."""

    paginate_by = 50
    max_page_size = 500

    def get_paginate_by(self, queryset):
        try:
            return max(1, min(int(self.request.GET.get("page_size", self.paginate_by)), self.max_page_size))
        except ValueError:
            return self.paginate_by


class RestrictedFormMixin(_FormViewBase):
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
            if (first := claim_submission(self.request, form)) is not None:
                return first
            self.object = self.save_form(form)
            assert_in_scope(self.request.user, self.object)
            url = self.get_success_url()
            remember_result(self.request, url)
        return HttpResponseRedirect(url)


def claim_submission(request, form) -> HttpResponseRedirect | None:
    """One submission, one object: claim the form's one-time token (core.forms.OneTimeTokenMixin).

    Call inside the transaction that creates the object, before creating it.
    The token row is inserted first: a second post of the same token (double
    click, back-and-resubmit) waits on the unique index until the first commits,
    then is redirected to the first result (returned here); if the first rolled
    back, the second goes ahead. None: go on and create (forms without a token,
    e.g. pages rendered before this existed, work as before).
    """
    token = (form.cleaned_data.get(TOKEN_FIELD) or "") if hasattr(form, "cleaned_data") else ""
    if not token:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_submission() belongs inside the transaction that creates the object")
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(user=request.user, token=token)
    except IntegrityError:
        first = SubmissionToken.objects.filter(user=request.user, token=token).values_list("url", flat=True).first()
        messages.info(request, _("This form was already submitted; here is the result."))
        return HttpResponseRedirect(first or request.get_full_path())
    request.submission_token = token
    return None


def remember_result(request, url: str) -> None:
    """Note where the claimed submission's object lives, for the posts that repeat it."""
    token = getattr(request, "submission_token", "")
    if token:
        SubmissionToken.objects.filter(user=request.user, token=token).update(url=url[:500])


class SortableListMixin(_ListViewBase):
    """List views sorted by a column the reader picks: `?sort=date` / `?sort=-date`.

    `sortable` maps the URL parameter to the model field(s) and the column label:
    `{"date": ("created_at", _("Date")), "name": (("name", "id"), _("Name"))}`.
    The last field of every ordering is the primary key, so equal values keep a
    stable order across pages. `default_sort` is the parameter used without
    `?sort=` (prefix "-" for descending). An unknown parameter falls back to it
    (a bookmarked old link still works). Templates draw the headers with
    `{% sort_header "date" %}` (core/templatetags/portal.py).
    """

    sortable: dict[str, tuple[str | tuple[str, ...], Any]] = {}
    default_sort = ""

    @property
    def current_sort(self) -> str:
        """The validated `?sort=` value ("date" or "-date")."""
        wanted = self.request.GET.get("sort", "")
        return wanted if wanted.lstrip("-") in self.sortable else self.default_sort

    def sort_fields(self) -> list[str]:
        """The ORDER BY of the current sort, ending with the primary key as tie-break."""
        sort = self.current_sort
        if not sort:
            return []
        descending = sort.startswith("-")
        spec = self.sortable[sort.lstrip("-")][0]
        fields: list[str] = [spec] if isinstance(spec, str) else list(spec)
        if "id" not in fields and "pk" not in fields:
            fields.append("id")
        return [f"-{f}" if descending else f for f in fields]

    def apply_sort(self, queryset):
        fields = self.sort_fields()
        return queryset.order_by(*fields) if fields else queryset

    def get_queryset(self):
        return self.apply_sort(super().get_queryset())
