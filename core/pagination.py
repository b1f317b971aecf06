"""Cursor pagination for API lists (kept apart: DRF imports it while loading its views)."""

from django.db.models import F
from django.db.models.fields.tuple_lookups import (  # type: ignore[import-untyped]  # no stubs for it
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
)
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, _reverse_ordering

from .api_filters import reject_empty, sync_ordering


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

    # -- `?updated_since=` pages: (updated_at, id) ascending, a keyset cursor ----------
    #
    # Whatever the class's own ordering, a collection read with updated_since is ordered
    # by core.api_filters.sync_ordering (the one rule), and its cursor holds the last
    # row's (updated_at, id): the next page is `(updated_at, id) > (t, id)`, read from
    # the updated_at index in order (for a state user's records, the recipient rows'
    # (group, updated_at, record) index: core.sharing moves both columns there), so a
    # page costs the same however many rows match and whatever their creation dates.
    # Positions are unique, so no offset is ever needed (DRF's offsets walk ties).

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = sync_ordering(request, queryset, view)
        if self.keyset is None:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.keyset
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        position = self._parse_position(self.cursor) if self.cursor else None

        queryset = queryset.order_by(*(_reverse_ordering(self.ordering) if reverse else self.ordering))
        if position is not None:
            queryset = self._after(queryset, position, reverse)
        results = list(queryset[: self.page_size + 1])
        self.page = results[: self.page_size]
        more = len(results) > self.page_size
        if reverse:
            self.page.reverse()
        # Forward: more rows after the page; a cursor means rows before it. Reverse: the
        # other way round.
        self.has_next, self.has_previous = (position is not None, more) if reverse else (more, position is not None)
        self.current_position = self.cursor.position if position is not None else None
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def _parse_position(self, cursor):
        """(updated_at, id) from a keyset cursor's position; an offset or a position of
        another ordering is an invalid cursor (400)."""
        if cursor.position is None and not cursor.offset:
            return None
        when, _sep, pk = (cursor.position or "").rpartition(",")
        try:
            value = parse_datetime(when) if when else None
            pk = int(pk)
        except ValueError:
            value = None
        if cursor.offset or value is None or value.tzinfo is None:
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]})
        return value, pk

    def _after(self, queryset, position, reverse):
        """The rows after `position` in the keyset order (before it, for a reverse cursor).

        On the columns the ORDER BY uses (`ordering_expression`: a state user's records
        order on the recipient rows), as one row comparison PostgreSQL reads as an index
        range; the range on updated_at alone is added for the planner's estimate (it is
        moved onto the recipient rows too).
        """
        when, pk = position
        columns = [
            queryset.ordering_expression(name) if hasattr(queryset, "ordering_expression") else F(name)
            for name in self.ordering
        ]
        if reverse:
            return queryset.filter(updated_at__lte=when).filter(TupleLessThan(Tuple(*columns), [when, pk]))
        return queryset.filter(updated_at__gte=when).filter(TupleGreaterThan(Tuple(*columns), [when, pk]))

    def _position_of(self, row) -> str:
        values = [row[name] if isinstance(row, dict) else getattr(row, name) for name in self.ordering]
        return f"{values[0].isoformat()},{values[1]}"

    def _keyset_link(self, row, reverse: bool):
        position = self._position_of(row) if row is not None else self.current_position
        # DRF keeps the position as text in the cursor; its stubs declare an int.
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))  # type: ignore[arg-type]

    def get_next_link(self):
        if not getattr(self, "keyset", None):
            return super().get_next_link()
        if not self.has_next:
            return None
        return self._keyset_link(self.page[-1] if self.page else None, reverse=False)

    def get_previous_link(self):
        if not getattr(self, "keyset", None):
            return super().get_previous_link()
        if not self.has_previous:
            return None
        return self._keyset_link(self.page[0] if self.page else None, reverse=True)

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
