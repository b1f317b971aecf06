"""Admin for donor data: nothing is ever deleted here (records are archived)."""

from django.contrib import admin

from core.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    BudgetLine,
    Donor,
    ExchangeRate,
    Instalment,
    Payment,
    Pledge,
    PledgingEvent,
    ReminderLog,
    ReportingObligation,
)


class NoDeleteAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0
    can_delete = False
    readonly_fields = ["status"]


@admin.register(Donor)
class DonorAdmin(NoDeleteAdmin):
    list_display = ["name", "type", "country", "confidential", "archived_at"]
    list_filter = ["type", "confidential"]
    search_fields = ["name"]


@admin.register(PledgingEvent)
class PledgingEventAdmin(NoDeleteAdmin):
    list_display = ["name", "date", "online", "venue"]


@admin.register(Pledge)
class PledgeAdmin(NoDeleteAdmin):
    list_display = ["donor", "announced_on", "amount", "currency", "amount_usd", "status", "overpaid"]
    list_filter = ["status", "earmark", "currency"]
    list_select_related = ["donor"]
    readonly_fields = [
        "rate_to_usd",
        "amount_usd",
        "status",
        "received_amount",
        "received_usd",
        "overpaid",
        "closure",
        "closure_reason",
        "closed_on",
    ]
    inlines = [InstalmentInline]


@admin.register(Payment)
class PaymentAdmin(NoDeleteAdmin):
    list_display = ["pledge", "value_date", "amount", "currency", "rate_to_usd", "amount_usd"]
    list_select_related = ["pledge", "pledge__donor"]
    readonly_fields = ["rate_to_usd", "amount_usd", "pledge_rate_to_usd", "pledge_amount"]


@admin.register(Agreement)
class AgreementAdmin(NoDeleteAdmin):
    list_display = ["reference", "pledge", "signed_on"]
    list_select_related = ["pledge", "pledge__donor"]


@admin.register(ReportingObligation)
class ReportingObligationAdmin(NoDeleteAdmin):
    list_display = ["agreement", "kind", "due_on", "status"]
    readonly_fields = ["status"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(NoDeleteAdmin):
    list_display = ["currency", "date", "rate_to_usd", "source"]
    list_filter = ["currency"]


@admin.register(BudgetLine)
class BudgetLineAdmin(NoDeleteAdmin):
    list_display = ["year", "category", "description", "amount_usd"]
    list_filter = ["year", "category"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["target", "kind", "sent_on"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
