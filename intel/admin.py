"""Admin: records are archived, never deleted; the access log is read-only.

Markings and dissemination are read-only here too: the originator alone changes
them, through the portal's handling rules (intel.handling), never behind them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SimpleHistoryAdmin

from .models import (
    AccessLog,
    Attachment,
    Identifier,
    IdentifierStopWord,
    IntelRecord,
    MarkingChange,
    RemarkingRequest,
)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class IdentifierInline(NoDeleteMixin, admin.TabularInline):
    model = Identifier
    extra = 0


@admin.register(IntelRecord)
class IntelRecordAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["reference", "kind", "title", "originating_state", "tlp", "status", "created_at"]
    list_filter = ["kind", "tlp", "status"]
    search_fields = ["reference", "title"]
    readonly_fields = [
        "reference",
        "author",
        "originating_state",
        "created_at",
        "updated_at",
        "tlp",
        "handling_code",
        "handling_note",
        "classification",
        "dissemination",
    ]
    inlines = [IdentifierInline]
    show_full_result_count = False

    @admin.display(description=_("shared with"))
    def dissemination(self, obj) -> str:
        return ", ".join(obj.shared_states().values_list("code", flat=True)) if obj.pk else "-"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Requests and marking changes are made and decided in the portal, by the rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RemarkingRequest)
class RemarkingRequestAdmin(ReadOnlyAdmin):
    list_display = ["record", "requesting_state", "tlp", "handling_code", "classification", "status", "created_at"]
    list_filter = ["status"]


@admin.register(MarkingChange)
class MarkingChangeAdmin(ReadOnlyAdmin):
    list_display = ["record", "changed_by", "changed_at", "downgrade", "reason"]
    list_filter = ["downgrade"]


@admin.register(Attachment)
class AttachmentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["filename", "record", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = ["record", "file", "filename", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]


@admin.register(IdentifierStopWord)
class IdentifierStopWordAdmin(admin.ModelAdmin):
    list_display = ["kind", "normalised", "note"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete path exists for the access log."""

    list_display = ["at", "user", "state", "action", "record", "ip"]
    list_filter = ["action"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
