"""`?updated_since=` on every API collection whose model keeps `updated_at` (issue 16).

A filter backend rather than a field on each FilterSet: every collection gets the
same parameter, with the same validation (an ISO 8601 date-time; anything else
answers 400 naming the parameter) and the same schema entry.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

PARAM = "updated_since"

EMPTY_MESSAGE = _("This parameter may not be empty.")


def is_empty(raw: str) -> bool:
    return raw.strip() == ""


def reject_empty(request, names) -> None:
    """400 naming every parameter of `names` sent with an empty (or blank) value.

    django-filter reads an empty value as "no filter" (right for the UI's forms, whose
    blank fields are sent empty), so `?status=` or `?created_before=` answered the whole
    collection; the API's schema says such a value is not a status or a date.
    """
    errors = {
        name: [EMPTY_MESSAGE]
        for name in names
        if name in request.query_params and any(is_empty(v) for v in request.query_params.getlist(name))
    }
    if errors:
        raise ValidationError(errors)


def _has_updated_at(model) -> bool:
    try:
        model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return True


def parse_since(raw: str, param: str = PARAM):
    """An aware datetime from an ISO 8601 string (naive means the server's time zone), or 400."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({param: [_("Enter an ISO 8601 date and time, e.g. 2026-12-01T08:00:00Z.")]})
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL refuses offsets beyond +-15:59 that Python accepts.
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValidationError({param: [_("Enter an ISO 8601 date and time, e.g. 2026-12-01T08:00:00Z.")]}) from exc


# The order of an `updated_since` page: oldest change first, the id breaking ties, so a
# partner resumes from the last change it saw; the cursor is a keyset on both
# (core.pagination). Every model offering updated_since has an index starting with
# updated_at; for a state user's records, core.sharing reads it on the recipient rows.
SYNC_ORDERING: tuple[str, str] = ("updated_at", "id")


def sync_ordering(request, queryset, view) -> tuple[str, str] | None:
    """SYNC_ORDERING when `request` reads a collection with `?updated_since=`, else None.

    The one rule deciding the order of sync pages, used by the filter backend below and
    by the cursor paginator. It wins over any other ordering (the API offers no ordering
    parameter today; one added later yields to updated_since, see docs/api.md).
    """
    if PARAM not in request.query_params or getattr(view, "detail", False):
        return None
    if queryset is None or not _has_updated_at(queryset.model):
        return None
    return SYNC_ORDERING


class UpdatedSinceFilterBackend:
    """Keep the rows changed at or after `?updated_since=` (on `updated_at`, which is indexed),
    ordered by (updated_at, id), oldest first."""

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(PARAM)
        if raw is None or not _has_updated_at(queryset.model):
            return queryset
        reject_empty(request, [PARAM])
        since = parse_since(raw)  # a malformed value is a 400 wherever it is sent
        # Collections only (a viewset's list or a list-like action; detail routes have detail=True).
        if getattr(view, "detail", False):
            return queryset
        return queryset.filter(updated_at__gte=since).order_by(*SYNC_ORDERING)

    def get_schema_operation_parameters(self, view):
        queryset = getattr(view, "queryset", None)
        if queryset is None or not _has_updated_at(queryset.model):
            return []
        return [
            {
                "name": PARAM,
                "required": False,
                "in": "query",
                "description": "Only objects changed at or after this ISO 8601 date-time (sync; "
                "see also /api/v1/changes/ for objects that left your scope). With it, results are "
                "ordered by updated_at, oldest first (then by id), whatever other parameter is "
                "sent, and `next` resumes after the last object of the page.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


TRUE_FALSE = {"true", "false", "True", "False", "1", "0"}


class StrictBooleanFilterBackend:
    """A boolean filter (`?inbox=`, `?scheduled=`, `?archived=`...) given anything but true/false
    answers 400 naming it; django-filter would silently ignore it and return everything."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None:
            return queryset
        from django_filters import BooleanFilter

        errors = {
            name: [_("Enter true or false.")]
            for name, flt in filterset_class.base_filters.items()
            if isinstance(flt, BooleanFilter)
            and name in request.query_params
            and any(v not in TRUE_FALSE for v in request.query_params.getlist(name))
        }
        if errors:
            raise ValidationError(errors)
        return queryset

    def get_schema_operation_parameters(self, view):
        return []  # the parameters are the filter set's, documented by DjangoFilterBackend


class NonEmptyFilterBackend:
    """A declared filter parameter sent empty (`?status=`, `?created_before=`, `?inbox=`)
    answers 400 `{"<param>": ["This parameter may not be empty."]}`.

    API only: it runs among the API's filter backends, before DjangoFilterBackend; the
    UI's lists use the same FilterSets through forms and keep reading empty as "any".
    """

    def filter_queryset(self, request, queryset, view):
        from django_filters.rest_framework import DjangoFilterBackend

        filterset_class = DjangoFilterBackend().get_filterset_class(view, queryset)
        if filterset_class is not None:
            reject_empty(request, filterset_class.base_filters)
        return queryset

    def get_schema_operation_parameters(self, view):
        return []  # the parameters are the filter set's; see require_nonempty_strings


def require_nonempty_strings(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: a free-text query parameter (`?q=`, `?state=`, `?cursor=`) has
    `minLength: 1`, as the API answers an empty one with 400 (NonEmptyFilterBackend,
    core.pagination). Dates, enums, booleans and integers exclude "" by their type already.
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                if (
                    param.get("in") == "query"
                    and schema.get("type") == "string"
                    and not {"enum", "format"} & set(schema)
                ):
                    schema.setdefault("minLength", 1)
    return result
