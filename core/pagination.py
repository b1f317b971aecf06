"""Cursor pagination for API lists (kept apart: DRF imports it while loading its views)."""

from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """Keyset pagination on an indexed (created_at, id): every page costs the same.

    No COUNT(*): counting everything a user may see costs 50-300 ms on big
    tables (docs/ARCHITECTURE.md, docs/performance.md), so lists give `results` and `next`/`previous` only.
    """

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CodeCursorPagination(CreatedCursorPagination):
    ordering = ("code",)


class IdCursorPagination(CreatedCursorPagination):
    ordering = ("id",)
