"""Admin site for states, agencies, users and API tokens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, APIToken, Notice, State, StateStatusChange, User


class StateStatusChangeInline(admin.TabularInline):
    model = StateStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "changed_at", "changed_by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class AgencyInline(admin.TabularInline):
    model = Agency
    extra = 0


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ru", "status", "joined_on"]
    list_filter = ["status"]
    search_fields = ["code", "name_en", "name_ru"]
    inlines = [AgencyInline, StateStatusChangeInline]

    def save_model(self, request, obj, form, change):
        obj.save(changed_by=request.user)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name_en", "abbreviation", "state", "kind"]
    list_filter = ["kind", "state"]
    search_fields = ["name_en", "name_ru", "abbreviation"]
    list_select_related = ["state"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "state", "is_active", "is_staff"]
    list_filter = ["state", "groups", "is_active", "is_staff"]
    list_select_related = ["state"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Portal"), {"fields": ("state", "agency", "position", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Portal"), {"fields": ("state", "agency")}))


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `manage.py create_api_token`; here they can only be revoked."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "originating_state", "author", "created_at"]
    list_select_related = ["originating_state", "author"]
