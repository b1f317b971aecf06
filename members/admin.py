"""Admin site for states, agencies, users and API tokens."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, APIToken, Notice, State, StateStatusChange, User
from .roles import Role
from .scopes import ALL_SCOPES, SCOPES


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


class APITokenIssueForm(forms.ModelForm):
    """Issuing a token in the admin: the account, a label, the scopes and a lifetime."""

    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=list(SCOPES.items()), initial=ALL_SCOPES, widget=forms.CheckboxSelectMultiple
    )
    lifetime_days = forms.IntegerField(label=_("lifetime (days)"), min_value=1, required=False)

    class Meta:
        model = APIToken
        fields = ["user", "name"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active or not user.has_role(Role.PARTNER_SYSTEM):
            raise forms.ValidationError(_("API tokens are issued only to active partner-system accounts."))
        return user


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    """Tokens are issued, rotated and revoked here as well as by `manage.py create_api_token`.

    The key is shown once, in a message, when it is issued or rotated; only its hash is kept.
    """

    list_display = ["prefix", "user", "name", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]
    actions = ["rotate", "revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = APITokenIssueForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scopes", "lifetime_days"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return  # an issued token is not edited: rotate or revoke it
        token, raw = APIToken.issue(
            form.cleaned_data["user"],
            name=form.cleaned_data.get("name", ""),
            lifetime_days=form.cleaned_data.get("lifetime_days"),
            scopes=form.cleaned_data["scopes"],
        )
        obj.pk, obj.prefix = token.pk, token.prefix
        self._show_key(request, token, raw)

    def _show_key(self, request, token, raw):
        messages.warning(
            request,
            _("Token %(prefix)s… for %(user)s: %(key)s — copy it now, it will not be shown again.")
            % {"prefix": token.prefix, "user": token.user, "key": raw},
        )

    @admin.action(description=_("Rotate selected tokens (new key, old one revoked)"))
    def rotate(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            new, raw = token.rotate()
            self._show_key(request, new, raw)

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "originating_state", "author", "created_at"]
    list_select_related = ["originating_state", "author"]
