"""Admin: report requests are read-only there (the worker writes them) and never deleted."""

from django.contrib import admin

from core.admin import SimpleHistoryAdmin

from .models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(SimpleHistoryAdmin):
    list_display = ["id", "kind", "format", "status", "progress", "requested_by", "owner_state", "created_at"]
    list_filter = ["status", "kind", "format", "owner_state"]
    search_fields = ["requested_by__username"]
    list_select_related = ["requested_by", "owner_state"]
    readonly_fields = [f.name for f in ReportRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
