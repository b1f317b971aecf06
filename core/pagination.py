"""Cursor pagination for API lists (kept apart: DRF imports it while loading its views)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from .api_filters import reject_empty


class CreatedCursorPagination(CursorPagination):
    """Keyset pagination on an indexed (created_at, id): every page costs the same.

    No COUNT(*): counting everything a user may see costs 50-300 ms on big
    tables (docs/ARCHITECTURE.md, docs/performance.md), so lists give `results` and `next`/`previous` only.
    """

    ordering: tuple[str, ...] = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """The requested page size; a value that is not an integer from 1 to max_page_size answers 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        reject_empty(request, [self.page_size_query_param])
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("Enter an integer from 1 to %(max)d.") % {"max": self.max_page_size}]}
            )
        return size

    def decode_cursor(self, request):
        # An unreadable cursor is a bad parameter (400 naming it), not a missing page;
        # DRF reads an empty one as the first page.
        reject_empty(request, [self.cursor_query_param])
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from exc

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return params


class CodeCursorPagination(CreatedCursorPagination):
    ordering: tuple[str, ...] = ("code",)


class IdCursorPagination(CreatedCursorPagination):
    ordering: tuple[str, ...] = ("id",)


class AccessedAtCursorPagination(CreatedCursorPagination):
    """Access log entries, newest first."""

    ordering = ("-at", "-id")
