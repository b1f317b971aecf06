"""Donor relations UI: donors, pledges, payments, agreements, rates, budget, dashboard.

Every page first asks `may_use_donors(user)`: liaison officers and partner
systems get 404 from all of them (the app does not exist for them). Every
queryset then comes from `visible_to(user)`; write views need the model
permission (403 for readers such as coordinators, who know the object exists).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, TemplateView, UpdateView

from core.exports import csv_response, xlsx_response
from core.permissions import get_visible_or_404
from core.views import (
    PageSizeMixin,
    RestrictedFormMixin,
    SortableListMixin,
    VisibleQuerysetMixin,
    claim_submission,
    remember_result,
)

from .choices import InstalmentStatus, ObligationStatus, PledgeStatus
from .dashboard import funding_summary
from .filters import DonorFilterSet, PledgeFilterSet
from .forms import (
    AgreementForm,
    AttachmentForm,
    BudgetLineForm,
    CloseForm,
    DonorForm,
    ExchangeRateForm,
    InstalmentFormSet,
    ObligationForm,
    PaymentForm,
    PledgeForm,
    PledgingEventForm,
    RateImportForm,
    YearForm,
)
from .imports import import_rates
from .models import (
    Agreement,
    AgreementAttachment,
    BudgetLine,
    Donor,
    ExchangeRate,
    Instalment,
    Payment,
    Pledge,
    PledgingEvent,
    ReportingObligation,
    may_use_donors,
)

MONEY_OUT = DecimalField(max_digits=18, decimal_places=2)


class DonorsAccessMixin(VisibleQuerysetMixin):
    """Signed-in users without any donors permission get 404, like an unknown address."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_use_donors(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class WriteMixin(DonorsAccessMixin, PermissionRequiredMixin):
    """Writes need the model permission; readers get 403 (they may know the object exists)."""

    raise_exception = True


def _sum_subquery(queryset, field: str):
    """A correlated SUM as one column: constant query count, whatever the page size."""
    return Coalesce(
        Subquery(queryset.values("donor_id").annotate(total=Sum(field)).values("total")[:1], output_field=MONEY_OUT),
        Value(Decimal("0.00")),
        output_field=MONEY_OUT,
    )


# --- donors -------------------------------------------------------------------------


class DonorListView(DonorsAccessMixin, SortableListMixin, PageSizeMixin, ListView):
    model = Donor
    sortable = {
        "name": ("name", gettext_lazy("Name")),
        "type": ("type", gettext_lazy("Type")),
        "country": ("country", gettext_lazy("Country")),
        "pledged": ("pledged_usd", gettext_lazy("Pledged (USD)")),
        "received": ("received_usd", gettext_lazy("Received (USD)")),
    }
    default_sort = "name"
    template_name = "donors/donor_list.html"

    def get_queryset(self):
        pledges = Pledge.objects.visible_to(self.request.user).filter(donor=OuterRef("pk"))
        qs = (
            super()
            .get_queryset()
            .annotate(
                pledged_usd=_sum_subquery(pledges, "amount_usd"), received_usd=_sum_subquery(pledges, "received_usd")
            )
        )
        if "archived" not in self.request.GET:
            qs = qs.filter(archived_at__isnull=True)
        self.filterset = DonorFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.apply_sort(self.filterset.qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


class DonorDetailView(DonorsAccessMixin, DetailView):
    """A donor's page: pledges, agreements, payments and reporting obligations."""

    model = Donor
    template_name = "donors/donor_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, donor = self.request.user, self.object
        context["pledges"] = Pledge.objects.visible_to(user).filter(donor=donor).select_related("event")
        context["agreements"] = Agreement.objects.visible_to(user).filter(pledge__donor=donor).select_related("pledge")
        context["payments"] = Payment.objects.visible_to(user).filter(pledge__donor=donor).select_related("pledge")
        context["obligations"] = (
            ReportingObligation.objects.visible_to(user)
            .filter(agreement__pledge__donor=donor)
            .select_related("agreement")
        )
        return context


class DonorCreateView(WriteMixin, RestrictedFormMixin, CreateView):
    model = Donor
    form_class = DonorForm
    permission_required = "donors.add_donor"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("New donor")}


class DonorUpdateView(WriteMixin, RestrictedFormMixin, UpdateView):
    model = Donor
    form_class = DonorForm
    permission_required = "donors.change_donor"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("Edit donor")}


# --- pledges --------------------------------------------------------------------------


class PledgeListView(DonorsAccessMixin, SortableListMixin, PageSizeMixin, ListView):
    model = Pledge
    sortable = {
        "donor": ("donor__name", gettext_lazy("Donor")),
        "announced": ("announced_on", gettext_lazy("Announced")),
        "amount": ("amount", gettext_lazy("Amount")),
        "usd": ("amount_usd", gettext_lazy("USD")),
        "received": ("received_usd", gettext_lazy("Received")),
        "status": ("status", gettext_lazy("Status")),
        "created": ("created_at", gettext_lazy("Created")),
    }
    default_sort = "-created"
    template_name = "donors/pledge_list.html"
    select_related = ("donor", "event")

    def get_queryset(self):
        qs = super().get_queryset()
        if "archived" not in self.request.GET:
            qs = qs.filter(archived_at__isnull=True)
        self.filterset = PledgeFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.apply_sort(self.filterset.qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["query"] = self.request.GET.urlencode()
        return context


class PledgeDetailView(DonorsAccessMixin, DetailView):
    model = Pledge
    template_name = "donors/pledge_detail.html"
    select_related = ("donor", "event", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, pledge = self.request.user, self.object
        context["instalments"] = Instalment.objects.visible_to(user).filter(pledge=pledge)
        context["payments"] = Payment.objects.visible_to(user).filter(pledge=pledge).select_related("recorded_by")
        context["agreements"] = (
            Agreement.objects.visible_to(user).filter(pledge=pledge).prefetch_related("obligations", "attachments")
        )
        context["history"] = pledge.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
        context["close_form"] = CloseForm()
        return context


class PledgeFormMixin(RestrictedFormMixin):
    """A pledge and its instalment schedule, saved together or not at all."""

    model = Pledge
    form_class = PledgeForm
    template_name = "donors/pledge_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "formset" not in kwargs:
            context["formset"] = InstalmentFormSet(instance=self.object)
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.is_update else None
        form = self.get_form()
        formset = InstalmentFormSet(request.POST, instance=form.instance)
        if form.is_valid():
            # The formset checks its sum against the pledge amount just validated.
            formset.instance = form.instance
            if formset.is_valid():
                return self.form_valid(form, formset)
        else:
            formset.is_valid()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def form_valid(self, form, formset):
        with transaction.atomic():
            if not self.is_update:
                if (first := claim_submission(self.request, form)) is not None:
                    return first
                form.instance.created_by = self.request.user
            self.object = form.save()
            formset.instance = self.object
            formset.save()
            self.object.refresh_status()
            remember_result(self.request, self.object.get_absolute_url())
        messages.success(self.request, _("Pledge saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class PledgeCreateView(WriteMixin, PledgeFormMixin, CreateView):
    model = Pledge
    permission_required = "donors.add_pledge"
    is_update = False

    def get_initial(self):
        initial = super().get_initial()
        for name in ("donor", "event"):
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        return initial


class PledgeUpdateView(WriteMixin, PledgeFormMixin, UpdateView):
    model = Pledge
    permission_required = "donors.change_pledge"
    is_update = True

    def get_object(self, queryset=None):
        pledge = super().get_object(queryset)
        if pledge.is_closed:
            raise Http404
        return pledge


class PledgeCloseView(WriteMixin, View):
    """Cancel or write off a pledge, with the reason (POST only)."""

    permission_required = "donors.change_pledge"

    def post(self, request, pk):
        pledge = get_visible_or_404(Pledge, request.user, pk=pk)
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                pledge.close(form.cleaned_data["closure"], form.cleaned_data["reason"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The pledge is closed."))
        else:
            messages.error(request, _("Choose how to close the pledge and give the reason."))
        return HttpResponseRedirect(pledge.get_absolute_url())


class ArchiveView(WriteMixin, View):
    """Archive or restore a donor or a pledge (POST). Nothing is ever deleted.

    A pledge is archived only once it is finished (paid, cancelled or written
    off): an open pledge still needs work and belongs on the working lists.
    """

    def post(self, request, pk):
        obj = get_visible_or_404(self.model, request.user, pk=pk)
        restore = request.POST.get("restore") == "1"
        if not restore and isinstance(obj, Pledge) and obj.status not in FINISHED:
            messages.error(request, _("Only a paid, cancelled or written-off pledge can be archived."))
            return HttpResponseRedirect(obj.get_absolute_url())
        obj.archived_at = None if restore else timezone.now()
        obj.save(update_fields=["archived_at", "updated_at"])
        messages.success(request, _("Restored.") if restore else _("Archived."))
        return HttpResponseRedirect(obj.get_absolute_url())


FINISHED = {PledgeStatus.PAID, PledgeStatus.CANCELLED, PledgeStatus.WRITTEN_OFF}


class DonorArchiveView(ArchiveView):
    model = Donor
    permission_required = "donors.change_donor"


class PledgeArchiveView(ArchiveView):
    model = Pledge
    permission_required = "donors.change_pledge"


class ChildCreateView(WriteMixin, CreateView):
    """Create a row that belongs to a parent the user may see (a pledge's payment, an agreement's file).

    Subclasses set `parent_model` and `parent_field`; the parent is fetched through
    visible_to (404 outside the user's scope) and is where the user returns.
    """

    template_name = "donors/form.html"
    parent_model: type = None
    parent_field = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and may_use_donors(request.user):
            self.parent = get_visible_or_404(self.parent_model, request.user, pk=kwargs["pk"])
            setattr(self, self.parent_field, self.parent)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        setattr(form.instance, self.parent_field, self.parent)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context[self.parent_field] = self.parent
        return context

    def get_success_url(self):
        return self.parent.get_absolute_url()


class PledgeChildCreateView(ChildCreateView):
    parent_model = Pledge
    parent_field = "pledge"


class PaymentCreateView(PledgeChildCreateView):
    """Record money received; a missing rate for the value date is a form error, nothing saved."""

    model = Payment
    form_class = PaymentForm
    permission_required = "donors.add_payment"
    extra_context = {"title": gettext_lazy("Record a payment")}

    def get_initial(self):
        return {"currency": self.pledge.currency, "value_date": timezone.localdate()}

    def form_valid(self, form):
        form.instance.recorded_by = self.request.user
        with transaction.atomic():
            if (first := claim_submission(self.request, form)) is not None:
                return first
            self.object = form.save()
            remember_result(self.request, self.get_success_url())
        messages.success(
            self.request,
            _("Payment recorded: %(amount)s %(currency)s = %(usd)s USD at %(rate)s.")
            % {
                "amount": self.object.amount,
                "currency": self.object.currency,
                "usd": self.object.amount_usd,
                "rate": self.object.rate_to_usd.normalize(),
            },
        )
        return HttpResponseRedirect(self.get_success_url())


class AgreementCreateView(PledgeChildCreateView):
    model = Agreement
    form_class = AgreementForm
    permission_required = "donors.add_agreement"
    extra_context = {"title": gettext_lazy("New agreement")}


class AgreementUpdateView(WriteMixin, UpdateView):
    model = Agreement
    form_class = AgreementForm
    permission_required = "donors.change_agreement"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("Edit agreement")}


class AgreementChildCreateView(ChildCreateView):
    parent_model = Agreement
    parent_field = "agreement"


class ObligationCreateView(AgreementChildCreateView):
    model = ReportingObligation
    form_class = ObligationForm
    permission_required = "donors.add_reportingobligation"
    extra_context = {"title": gettext_lazy("New reporting obligation")}


class ObligationUpdateView(WriteMixin, UpdateView):
    model = ReportingObligation
    form_class = ObligationForm
    permission_required = "donors.change_reportingobligation"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("Edit reporting obligation")}


class AttachmentCreateView(AgreementChildCreateView):
    model = AgreementAttachment
    form_class = AttachmentForm
    permission_required = "donors.add_agreementattachment"
    extra_context = {"title": gettext_lazy("Attach a file"), "multipart": True}

    def form_valid(self, form):
        form.instance.uploaded_by = self.request.user
        return super().form_valid(form)


class AttachmentDownloadView(DonorsAccessMixin, View):
    """Attachments leave only through here, after the visibility check."""

    model = AgreementAttachment

    def get(self, request, pk):
        attachment = get_visible_or_404(AgreementAttachment, request.user, pk=pk)
        return attachment.download(request)


# --- overdue, dashboard, export ---------------------------------------------------------


class OverdueListView(DonorsAccessMixin, SortableListMixin, TemplateView):
    """Overdue instalments (sortable) and reporting obligations (by due date)."""

    template_name = "donors/overdue_list.html"
    model = Instalment
    sortable = {
        "donor": ("pledge__donor__name", gettext_lazy("Donor")),
        "due": ("due_on", gettext_lazy("Due on")),
        "amount": ("amount", gettext_lazy("Amount")),
    }
    default_sort = "due"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["instalments"] = self.apply_sort(
            Instalment.objects.visible_to(user)
            .filter(status=InstalmentStatus.OVERDUE)
            .select_related("pledge", "pledge__donor")
        )
        context["obligations"] = (
            ReportingObligation.objects.visible_to(user)
            .filter(status=ObligationStatus.OVERDUE)
            .select_related("agreement", "agreement__pledge", "agreement__pledge__donor")
            .order_by("due_on", "id")
        )
        context["today"] = timezone.localdate()
        return context


def _requested_year(request) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["year"]:
        return form.cleaned_data["year"]
    return timezone.localdate().year


class DashboardView(DonorsAccessMixin, TemplateView):
    """Budget requirement against committed and received money, by donor and earmark."""

    template_name = "donors/dashboard.html"
    model = Pledge

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _requested_year(self.request)
        summary = funding_summary(self.request.user, year)
        totals = summary["totals"]
        context.update(
            summary=summary,
            year=year,
            years=range(year - 3, year + 3),
            chart_data={
                "labels": {
                    "requirement": _("Requirement"),
                    "committed": _("Committed"),
                    "received": _("Received"),
                    "gap": _("Gap"),
                },
                "totals": {k: str(totals[k]) for k in ("requirement", "committed", "received", "funded", "gap")},
                "earmarks": [
                    {"label": row["label"], "committed": str(row["committed"]), "received": str(row["received"])}
                    for row in summary["by_earmark"]
                ],
            },
        )
        return context


EXPORT_COLUMNS = [
    ("id", gettext_lazy("ID")),
    ("donor", gettext_lazy("Donor")),
    ("event", gettext_lazy("Pledging event")),
    ("announced_on", gettext_lazy("Announced on")),
    ("amount", gettext_lazy("Amount")),
    ("currency", gettext_lazy("Currency")),
    ("amount_usd", gettext_lazy("Amount (USD)")),
    ("received_amount", gettext_lazy("Received")),
    ("received_usd", gettext_lazy("Received (USD)")),
    ("status", gettext_lazy("Status")),
    ("overpaid", gettext_lazy("Overpaid")),
    ("earmark", gettext_lazy("Earmark")),
    ("years", gettext_lazy("Years covered")),
]


def _export_rows(queryset):
    for p in queryset.iterator(chunk_size=500):
        yield [
            p.pk,
            p.donor.name,
            str(p.event) if p.event else "",
            p.announced_on,
            p.amount,
            p.currency,
            p.amount_usd,
            p.received_amount,
            p.received_usd,
            p.get_status_display(),
            _("yes") if p.overpaid else "",
            p.get_earmark_display(),
            f"{p.year_from}-{p.year_to}" if p.year_to != p.year_from else str(p.year_from),
        ]


class PledgeExportView(DonorsAccessMixin, View):
    """The pledge table (with the list's filters) as CSV or XLSX, through core.exports."""

    model = Pledge

    def get(self, request, fmt):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        qs = Pledge.objects.visible_to(request.user).select_related("donor", "event")
        qs = PledgeFilterSet(request.GET or None, queryset=qs, request=request).qs.order_by("-created_at", "-id")
        header = [str(label) for _name, label in EXPORT_COLUMNS]
        filename = f"pledges-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
        if fmt == "csv":
            return csv_response(filename, header, _export_rows(qs))
        return xlsx_response(filename, header, _export_rows(qs), sheet_title=_("Pledges"))


# --- reference data: rates, budget, events ------------------------------------------------


class ExchangeRateListView(DonorsAccessMixin, SortableListMixin, PageSizeMixin, ListView):
    model = ExchangeRate
    sortable = {
        "date": (("date", "currency"), gettext_lazy("Date")),
        "currency": (("currency", "date"), gettext_lazy("Currency")),
        "rate": ("rate_to_usd", gettext_lazy("USD per unit")),
    }
    default_sort = "-date"
    template_name = "donors/rate_list.html"

    def get_queryset(self):
        qs = super().get_queryset()
        if currency := self.request.GET.get("currency", "").strip().upper():
            qs = qs.filter(currency=currency)
        return self.apply_sort(qs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["import_form"] = RateImportForm()
        return context


class ExchangeRateCreateView(WriteMixin, CreateView):
    model = ExchangeRate
    form_class = ExchangeRateForm
    permission_required = "donors.add_exchangerate"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("New exchange rate")}


class ExchangeRateUpdateView(WriteMixin, UpdateView):
    model = ExchangeRate
    form_class = ExchangeRateForm
    permission_required = "donors.change_exchangerate"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("Correct an exchange rate")}


class ExchangeRateImportView(WriteMixin, FormView):
    """Import rates from CSV: every line valid, or nothing saved and every bad line listed."""

    model = ExchangeRate
    form_class = RateImportForm
    permission_required = ("donors.add_exchangerate", "donors.change_exchangerate")
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("Import exchange rates"), "multipart": True}

    def form_valid(self, form):
        try:
            created, updated = import_rates(form.cleaned_data["file"].read())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(created)s rates added, %(updated)s updated.") % {"created": created, "updated": updated}
        )
        return HttpResponseRedirect(reverse("donors:rate-list"))


class BudgetLineListView(DonorsAccessMixin, SortableListMixin, ListView):
    model = BudgetLine
    sortable = {
        "category": ("category", gettext_lazy("Category")),
        "amount": ("amount_usd", gettext_lazy("Amount (USD)")),
    }
    default_sort = "category"
    template_name = "donors/budget_list.html"

    def get_queryset(self):
        self.year = _requested_year(self.request)
        return self.apply_sort(super().get_queryset().filter(year=self.year))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["year"] = self.year
        context["total"] = sum((line.amount_usd for line in context["object_list"]), Decimal("0.00"))
        return context


class BudgetLineCreateView(WriteMixin, CreateView):
    model = BudgetLine
    form_class = BudgetLineForm
    permission_required = "donors.add_budgetline"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("New budget line")}

    def get_initial(self):
        return {"year": _requested_year(self.request)}


class BudgetLineUpdateView(WriteMixin, UpdateView):
    model = BudgetLine
    form_class = BudgetLineForm
    permission_required = "donors.change_budgetline"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("Edit budget line")}


class EventListView(DonorsAccessMixin, SortableListMixin, ListView):
    model = PledgingEvent
    sortable = {
        "date": ("date", gettext_lazy("Date")),
        "name": ("name", gettext_lazy("Name")),
        "venue": ("venue", gettext_lazy("Venue")),
    }
    default_sort = "-date"
    template_name = "donors/event_list.html"


class EventCreateView(WriteMixin, CreateView):
    model = PledgingEvent
    form_class = PledgingEventForm
    permission_required = "donors.add_pledgingevent"
    template_name = "donors/form.html"
    extra_context = {"title": gettext_lazy("New pledging event")}
