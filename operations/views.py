"""The operations UI: list, page, forms, transitions, consent, dashboard and timeline.

Every object comes from `JointOperation.objects.visible_to(user)` (404 outside
scope); every write asks `operations.workflow` whether this user may do it now.
"""

from __future__ import annotations

import calendar
import contextlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_countries import countries

from core.permissions import get_visible_or_404
from core.replica import replica_reads
from core.views import PageSizeMixin, SortableListMixin, VisibleQuerysetMixin, claim_submission, remember_result
from intel.vocabularies import Substance

from .choices import Consent, ParticipantRole, Status
from .filters import JointOperationFilterSet
from .forms import (
    ConsentForm,
    ControlledDeliveryForm,
    JointOperationForm,
    OperationResultForm,
    ResultSeizureForm,
    RouteLegFormSet,
    TransitionForm,
)
from .models import (
    PLANNED_OR_RUNNING_STATUSES,
    ControlledDelivery,
    JointOperation,
    OperationResult,
    Participation,
    ResultSeizure,
)
from .services import create_operation, update_operation
from .workflow import (
    TRANSITIONS,
    TransitionError,
    TransitionForbidden,
    _lock,
    can_edit,
    can_edit_delivery,
    can_enter_results,
    consent_participation,
    decide_consent,
    fire,
    is_state_officer,
    transitions_with_reasons,
)

PARTICIPATIONS = Prefetch(
    "participations",
    queryset=Participation.objects.select_related("state", "liaison_officer", "consent_by").order_by(
        "role", "state__name_en"
    ),
)


@contextlib.contextmanager
def _locked_if(op: JointOperation, user, allowed: Callable[[object, JointOperation], bool]) -> Iterator[JointOperation]:
    """A transaction holding the operation's row lock, if `allowed(user, locked)` still holds.

    The view checked the permission when it loaded the operation; the status may
    have moved on since (e.g. closed meanwhile), so it is checked again under the lock.
    """
    with transaction.atomic():
        locked = _lock(op)
        if not allowed(user, locked):
            raise PermissionDenied
        yield locked


class OperationListView(SortableListMixin, PageSizeMixin, VisibleQuerysetMixin, ListView):
    """Operations the user may see, filtered by status, type, state and year, sorted by a column."""

    model = JointOperation
    sortable = {
        "reference": ("reference", gettext_lazy("Reference")),
        "code_name": ("code_name", gettext_lazy("Code name")),
        "type": ("operation_type", gettext_lazy("Type")),
        "lead": ("lead_state__code", gettext_lazy("Lead state")),
        "planned": ("planned_start", gettext_lazy("Planned")),
        "status": ("status", gettext_lazy("Status")),
        "created": ("created_at", gettext_lazy("Created")),
    }
    default_sort = "-created"
    template_name = "operations/operation_list.html"
    paginate_by = 25
    select_related = ("lead_state",)
    prefetch_related = (Prefetch("participations", queryset=Participation.objects.select_related("state")),)

    def get_queryset(self):
        qs = super().get_queryset()
        data = self.request.GET.copy()
        if "archived" not in data:
            data["archived"] = "false"
        self.filterset = JointOperationFilterSet(data, queryset=qs)
        for field in self.filterset.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.filterset.form.fields["year"].widget.attrs["class"] = "form-control form-control-sm"
        return self.apply_sort(self.filterset.qs) if self.filterset.is_valid() else qs.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filterset.form
        context["can_create"] = self.request.user.has_perm("operations.add_jointoperation") and is_state_officer(
            self.request.user, self.request.user.state_id
        )
        return context


def seizure_totals(seizures) -> list[dict]:
    """Per substance: kg equivalent and count (seizures without a mass count apart)."""
    totals: dict[str, dict] = {}
    for s in seizures:
        row = totals.setdefault(s.substance, {"substance": s.get_substance_display(), "kg": Decimal("0"), "count": 0})
        row["count"] += 1
        if s.kg_equivalent is not None:
            row["kg"] += s.kg_equivalent
    return sorted(totals.values(), key=lambda r: -r["kg"])


def attach_visible_intel_records(user, seizures) -> None:
    """Set `visible_intel` on each seizure: its intel record if this viewer may see it, else None.

    A participant may see the operation without seeing every intel record cited
    in it; the link is then not shown at all (one query for the whole page).
    """
    from intel.models import IntelRecord

    ids = {s.intel_record_id for s in seizures if s.intel_record_id}
    visible = (
        {r.pk: r for r in IntelRecord.objects.visible_to(user).filter(pk__in=ids).only("pk", "reference")}
        if ids
        else {}
    )
    for s in seizures:
        s.visible_intel = visible.get(s.intel_record_id)


def route_map_data(delivery: ControlledDelivery) -> dict | None:
    """A controlled delivery's legs for the offline map (static/js/portal-map.js): each
    state is drawn at its country's shape in the vendored boundaries, found by its ISO
    3166 numeric code. Legs come from the prefetched `delivery.legs`."""
    legs = list(delivery.legs.all())
    if not legs:
        return None
    return {
        "legs": [
            {
                "order": leg.order,
                "from_name": str(leg.from_state.name),
                "to_name": str(leg.to_state.name),
                "from_numeric": countries.numeric(leg.from_state.code, padded=True),
                "to_numeric": countries.numeric(leg.to_state.code, padded=True),
                "handover_point": leg.handover_point,
            }
            for leg in legs
        ]
    }


class OperationDetailView(VisibleQuerysetMixin, DetailView):
    """The operation page: participants, consents, timeline, results, and the user's actions."""

    model = JointOperation
    template_name = "operations/operation_detail.html"
    prefetch_related = (PARTICIPATIONS,)

    def get_base_queryset(self):
        return JointOperation.objects.with_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        op, user = self.object, self.request.user
        timeline = [{"kind": "transition", "at": t.at, "entry": t} for t in op.transitions.all()]
        timeline += [{"kind": "consent", "at": c.at, "entry": c} for c in op.consent_events.all()]
        timeline.sort(key=lambda e: (e["at"], 0 if e["kind"] == "transition" else 1))
        try:
            delivery = op.controlled_delivery
        except ControlledDelivery.DoesNotExist:
            delivery = None
        try:
            result = op.result
        except OperationResult.DoesNotExist:
            result = None
        seizures = list(op.seizures.all())
        attach_visible_intel_records(user, seizures)
        route = route_map_data(delivery) if delivery is not None else None
        totals = seizure_totals(seizures)
        transitions = transitions_with_reasons(user, op)
        actions = [
            {"transition": t, "form": TransitionForm(initial={"transition": t.name, "expected_status": op.status})}
            for t, unmet in transitions
            if not unmet
        ]
        blocked = [{"transition": t, "reasons": unmet} for t, unmet in transitions if unmet]
        participation = consent_participation(user, op)
        context.update(
            timeline=timeline,
            delivery=delivery,
            route_map=route,
            result=result,
            seizures=seizures,
            seizure_totals=totals,
            total_kg=sum((row["kg"] for row in totals), Decimal("0")),
            actions=actions,
            blocked_actions=blocked,
            consent_participation=participation,
            consent_form=self._consent_form(op, participation) if participation else None,
            can_edit=can_edit(user, op),
            can_edit_delivery=can_edit_delivery(user, op),
            can_enter_results=can_enter_results(user, op),
            participant_count=sum(1 for p in op.participations.all() if p.role != ParticipantRole.LEAD),
        )
        return context

    @staticmethod
    def _consent_form(op, participation) -> ConsentForm:
        """Offer only the decisions that make sense now: withdraw a granted consent, else grant or refuse."""
        form = ConsentForm(
            initial={"version": op.version, "national_case_reference": participation.national_case_reference}
        )
        granted = participation.consent == Consent.GRANTED and participation.consent_version == op.version
        field = form.fields["decision"]
        field.choices = [c for c in field.choices if (c[0] == Consent.WITHDRAWN) == granted]
        return form


class OperationCreateView(LoginRequiredMixin, View):
    """A new draft operation led by the officer's own state."""

    template_name = "operations/operation_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (
            request.user.has_perm("operations.add_jointoperation")
            and is_state_officer(request.user, request.user.state_id)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = JointOperationForm(lead_state=request.user.state)
        return render(request, self.template_name, {"form": form, "object": None})

    def post(self, request):
        form = JointOperationForm(request.POST, lead_state=request.user.state)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                with transaction.atomic():
                    if (first := claim_submission(request, form)) is not None:
                        return first
                    op = create_operation(request.user, fields, form.participant_roles())
                    remember_result(request, op.get_absolute_url())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Draft operation %(ref)s created.") % {"ref": op.reference})
                return redirect(op)
        return render(request, self.template_name, {"form": form, "object": None})


class OperationUpdateView(LoginRequiredMixin, View):
    """Edit while being agreed; a material change lifts every consent."""

    template_name = "operations/operation_form.html"

    def get_object(self, request, pk):
        op = get_visible_or_404(JointOperation, request.user, pk=pk)
        if not can_edit(request.user, op):
            raise PermissionDenied
        return op

    def get(self, request, pk):
        op = self.get_object(request, pk)
        form = JointOperationForm(instance=op, lead_state=op.lead_state)
        return render(request, self.template_name, {"form": form, "object": op})

    def post(self, request, pk):
        op = self.get_object(request, pk)
        # update_operation re-reads the row under its lock, so the form may bind to `op` itself.
        form = JointOperationForm(request.POST, instance=op, lead_state=op.lead_state)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            version_before = op.version
            try:
                op = update_operation(op, request.user, fields, form.participant_roles())
            except TransitionError as exc:
                messages.error(request, exc.message)
                return redirect(op)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if op.version != version_before:
                    messages.warning(request, _("Material change saved: every state's consent is pending again."))
                else:
                    messages.success(request, _("Operation saved."))
                return redirect(op)
        return render(request, self.template_name, {"form": form, "object": op})


class TransitionView(LoginRequiredMixin, View):
    """POST one transition of the table; stale or illegal requests end in a clear message."""

    def post(self, request, pk):
        op = get_visible_or_404(JointOperation, request.user, pk=pk)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The request was incomplete; nothing was done."))
            return redirect(op)
        name = form.cleaned_data["transition"]
        try:
            fire(op, name, request.user, form.cleaned_data["comment"], form.cleaned_data["expected_status"])
        except TransitionForbidden:
            raise
        except TransitionError as exc:
            messages.error(request, exc.message)
        else:
            label = TRANSITIONS[name].label
            messages.success(
                request,
                _("Done: %(action)s. The operation is now %(status)s.")
                % {"action": label, "status": op.get_status_display()},
            )
        return redirect(op)


class ConsentView(LoginRequiredMixin, View):
    """The user's state grants, refuses or withdraws its consent to the current version."""

    def post(self, request, pk):
        op = get_visible_or_404(JointOperation, request.user, pk=pk)
        form = ConsentForm(request.POST)
        if not form.is_valid():
            problems = [str(error) for errors in form.errors.values() for error in errors]
            messages.error(request, " ".join([str(_("Nothing was recorded.")), *problems]))
            return redirect(op)
        data = form.cleaned_data
        try:
            decide_consent(
                op,
                request.user,
                data["decision"],
                data["conditions"],
                national_case_reference=data["national_case_reference"],
                expected_version=data["version"],
            )
        except TransitionForbidden:
            raise
        except TransitionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your state's decision is recorded."))
        return redirect(op)


class DeliveryEditView(LoginRequiredMixin, View):
    """Consignment, substitution, trackers and the route legs of a controlled delivery."""

    template_name = "operations/delivery_form.html"

    def _load(self, request, pk):
        op = get_visible_or_404(JointOperation, request.user, pk=pk)
        if not can_edit_delivery(request.user, op):
            raise PermissionDenied
        delivery = ControlledDelivery.objects.filter(operation=op).first() or ControlledDelivery(operation=op)
        return op, delivery

    def get(self, request, pk):
        op, delivery = self._load(request, pk)
        return render(
            request,
            self.template_name,
            {
                "object": op,
                "form": ControlledDeliveryForm(instance=delivery),
                "formset": RouteLegFormSet(instance=delivery),
            },
        )

    def post(self, request, pk):
        op, delivery = self._load(request, pk)
        form = ControlledDeliveryForm(request.POST, instance=delivery)
        formset = RouteLegFormSet(request.POST, instance=delivery)
        if form.is_valid() and formset.is_valid():
            with _locked_if(op, request.user, can_edit_delivery):
                delivery = form.save()
                formset.instance = delivery
                formset.save()
            messages.success(request, _("Controlled delivery saved."))
            return redirect(op)
        return render(request, self.template_name, {"object": op, "form": form, "formset": formset})


class ResultsEditView(LoginRequiredMixin, View):
    """Arrests, groups, cash, firearms and vehicles; seizures are added one by one."""

    template_name = "operations/results_form.html"

    def _load(self, request, pk):
        op = get_visible_or_404(JointOperation, request.user, pk=pk)
        if not can_enter_results(request.user, op):
            raise PermissionDenied
        return op, OperationResult.objects.filter(operation=op).first()

    def get(self, request, pk):
        op, result = self._load(request, pk)
        return render(
            request,
            self.template_name,
            {
                "object": op,
                "form": OperationResultForm(instance=result),
                "seizure_form": ResultSeizureForm(operation=op, user=request.user),
            },
        )

    def post(self, request, pk):
        op, result = self._load(request, pk)
        if "add_seizure" in request.POST:
            form, seizure_form = (
                OperationResultForm(instance=result),
                ResultSeizureForm(request.POST, operation=op, user=request.user),
            )
            if seizure_form.is_valid():
                with _locked_if(op, request.user, can_enter_results) as locked:
                    seizure_form.instance.operation = locked
                    seizure_form.instance.created_by = request.user
                    seizure_form.save()
                messages.success(request, _("Seizure added."))
                return HttpResponseRedirect(request.path)
        else:
            form, seizure_form = (
                OperationResultForm(request.POST, instance=result),
                ResultSeizureForm(operation=op, user=request.user),
            )
            if form.is_valid():
                with _locked_if(op, request.user, can_enter_results) as locked:
                    form.instance.operation = locked
                    form.instance.entered_by = request.user
                    form.save()
                messages.success(request, _("Results saved."))
                return redirect(op)
        return render(request, self.template_name, {"object": op, "form": form, "seizure_form": seizure_form})


class DashboardView(LoginRequiredMixin, TemplateView):
    """Counts by status, a chosen year's seizures by substance (`?year=`, this year by
    default) and the totals of the five years ending with it, all through visible_to."""

    template_name = "operations/dashboard.html"
    COMPARE_YEARS = 5

    def requested_year(self, this_year: int) -> int:
        """`?year=` if it is a year between 2000 and this one; else this year."""
        try:
            year = int(self.request.GET.get("year", this_year))
        except ValueError:
            return this_year
        return year if 2000 <= year <= this_year else this_year

    @replica_reads
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = JointOperation.objects.visible_to(user).not_archived()
        counts = dict(visible.order_by().values_list("status").annotate(n=Count("id")))
        context["status_counts"] = [
            {"status": value, "label": label, "count": counts.get(value, 0)} for value, label in Status.choices
        ]
        context["total"] = sum(counts.values())
        this_year = timezone.localdate().year
        year = self.requested_year(this_year)
        first = year - self.COMPARE_YEARS + 1
        labels = dict(Substance.choices)
        # One grouped query for the five years ending with the chosen one, by year and
        # substance: the chosen year's table and the per-year comparison both come from it.
        rows = (
            ResultSeizure.objects.visible_to(user)
            .filter(seized_on__gte=date(first, 1, 1), seized_on__lt=date(year + 1, 1, 1))
            .order_by()
            .annotate(year=ExtractYear("seized_on"))
            .values("year", "substance")
            .annotate(kg=Sum("kg_equivalent"), n=Count("id"))
        )
        per_year = {y: {"year": y, "kg": 0.0, "count": 0} for y in range(first, year + 1)}
        seizures = []
        for r in rows:
            kg = float(r["kg"] or 0)
            per_year[r["year"]]["kg"] += kg
            per_year[r["year"]]["count"] += r["n"]
            if r["year"] == year:
                seizures.append(
                    {"substance": str(labels.get(r["substance"], r["substance"])), "kg": kg, "count": r["n"]}
                )
        seizures.sort(key=lambda s: -s["kg"])
        context["years"] = list(range(this_year, this_year - 10, -1))
        context["comparison"] = list(per_year.values())
        context["year"] = year
        context["seizures"] = seizures
        context["chart_data"] = {
            "labels": [s["substance"] for s in seizures],
            "values": [s["kg"] for s in seizures],
            "label": _("Seized in %(year)s, kg") % {"year": year},
        }
        return context


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


class TimelineView(LoginRequiredMixin, TemplateView):
    """Planned and running operations over six months, as a server-drawn Gantt table."""

    template_name = "operations/timeline.html"
    MONTHS = 6

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        try:
            offset = int(self.request.GET.get("offset", 0))
        except ValueError:
            offset = 0
        start = _add_months(today.replace(day=1), offset - 1)
        end = _add_months(start, self.MONTHS)
        span = (end - start).days
        ops = (
            JointOperation.objects.visible_to(self.request.user)
            .not_archived()
            .filter(status__in=PLANNED_OR_RUNNING_STATUSES, planned_start__lt=end, planned_end__gte=start)
            .select_related("lead_state")
            .order_by("planned_start", "id")[:200]
        )
        rows = []
        for op in ops:
            first = max(op.planned_start, start)
            last = min(op.planned_end, end - timedelta(days=1))
            rows.append(
                {
                    "op": op,
                    "left": round((first - start).days * 100 / span, 2),
                    "width": max(round(((last - first).days + 1) * 100 / span, 2), 0.8),
                }
            )
        months = []
        cursor = start
        while cursor < end:
            days = calendar.monthrange(cursor.year, cursor.month)[1]
            months.append({"date": cursor, "width": round(days * 100 / span, 2)})
            cursor = _add_months(cursor, 1)
        context.update(
            rows=rows,
            months=months,
            window_start=start,
            window_end=end - timedelta(days=1),
            today_left=round((today - start).days * 100 / span, 2) if start <= today < end else None,
            offset=offset,
        )
        return context
