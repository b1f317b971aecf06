"""Admin for joint operations: read mostly, archive instead of delete.

Status changes go through the workflow (UI or API), never through the admin,
so `status` is read-only here.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import SimpleHistoryAdmin

from .models import JointOperation, Participation, ResultSeizure, TransitionLog


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class ParticipationInline(NoDeleteMixin, admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["state", "role", "national_case_reference", "liaison_officer", "consent", "consent_by", "consent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TransitionLogInline(NoDeleteMixin, admin.TabularInline):
    model = TransitionLog
    extra = 0
    fields = ["at", "transition", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JointOperation)
class JointOperationAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["reference", "code_name", "operation_type", "lead_state", "status", "planned_start", "archived_at"]
    list_filter = ["status", "operation_type", "lead_state"]
    search_fields = ["reference", "code_name"]
    list_select_related = ["lead_state"]
    readonly_fields = ["reference", "status", "version", "created_by", "created_at", "archived_at"]
    inlines = [ParticipationInline, TransitionLogInline]
    actions = ["archive"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Archive selected operations"))
    def archive(self, request, queryset):
        for op in queryset.filter(archived_at__isnull=True):
            op.archived_at = timezone.now()
            op.save(update_fields=["archived_at", "updated_at"])


@admin.register(ResultSeizure)
class ResultSeizureAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["operation", "state", "seized_on", "substance", "quantity", "unit", "kg_equivalent"]
    list_filter = ["substance", "state"]
    list_select_related = ["operation", "state"]
    readonly_fields = ["kg_equivalent"]
