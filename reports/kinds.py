"""The report kinds: one small class each.

A kind validates its parameters, yields a header and rows read ONLY through
`Model.objects.visible_to(requester)` (evaluated in the worker, for the user the
report belongs to), names the highest markings of the records it includes, and
picks one number per row for the PDF's chart. The framework (reports/tasks.py,
reports/writers.py) does the rest: progress, files, formats.

Rows are plain values (str, int, Decimal, naive local date/datetime) so every
writer can take them; querysets are streamed with `.values()` and `.iterator()`
so memory stays flat however many rows there are.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import State
from members.roles import Role

from .choices import ReportKind

# TLP 2.0 and classification, lowest first. Apps spell TLP differently
# ("AMBER+STRICT" in intel, "amber_strict" in operations): `tlp_rank` folds both.
TLP_ORDER = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
CLASSIFICATION_ORDER = ["unclassified", "restricted", "confidential", "secret"]
CLASSIFICATION_LABELS = {
    "unclassified": gettext_lazy("Unclassified"),
    "restricted": gettext_lazy("Restricted"),
    "confidential": gettext_lazy("Confidential"),
    "secret": gettext_lazy("Secret"),
}
MAX_PERIOD_DAYS = 366 * 10
# Centre roles who may ask for funding figures (the issue: donor relations and coordinators).
FUNDING_ROLES = (Role.DONOR_RELATIONS, Role.COORDINATOR)
ITERATOR_CHUNK = 2000


def normalise_tlp(value: str | None) -> str:
    """ "amber_strict" / "AMBER+STRICT" / "TLP:AMBER" -> "AMBER+STRICT" (or "" if unknown)."""
    value = (value or "").upper().replace("TLP:", "").replace("_", "+").strip()
    return value if value in TLP_ORDER else ""


def highest(values, order: list[str], normalise=lambda v: v) -> str:
    """The highest of `values` in `order` ("" when none is known)."""
    ranks = [order.index(v) for v in (normalise(x) for x in values) if v in order]
    return order[max(ranks)] if ranks else ""


def tlp_label(value: str) -> str:
    return f"TLP:{value}" if value else ""


def classification_label(value: str) -> str:
    return str(CLASSIFICATION_LABELS.get(value, value))


def local_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes [start of date_from, start of the day after date_to) in TIME_ZONE."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def naive_local(value: dt.datetime | None) -> dt.datetime | None:
    """A naive local datetime (spreadsheets have no time zones), to the second."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


# --- parameters -----------------------------------------------------------------


class PeriodForm(forms.Form):
    """Parameters most kinds share: a period and, optionally, the states to cover."""

    date_from = forms.DateField(label=gettext_lazy("From"))
    date_to = forms.DateField(label=gettext_lazy("To"))
    states = forms.MultipleChoiceField(
        label=gettext_lazy("States"),
        required=False,
        help_text=gettext_lazy("Leave empty for every state."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["states"].choices = [(s.code, f"{s.code} {s.name}") for s in State.objects.order_by("code")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", _("The end of the period must not be before its start."))
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("date_to", _("The period may cover at most ten years."))
        return cleaned

    def to_parameters(self) -> dict[str, Any]:
        """The JSON stored on the request."""
        data = self.cleaned_data
        return {
            "date_from": data["date_from"].isoformat(),
            "date_to": data["date_to"].isoformat(),
            "states": sorted(data.get("states") or []),
        }


class Params:
    """Stored parameters read back with their types."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.date_from = dt.date.fromisoformat(raw["date_from"])
        self.date_to = dt.date.fromisoformat(raw["date_to"])
        self.states: list[str] = list(raw.get("states") or [])

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return local_bounds(self.date_from, self.date_to)


# --- the base class -----------------------------------------------------------------


class BaseKind(ABC):
    """What every kind provides. Subclasses set the class attributes and `rows`."""

    code: str = ""
    # Models the kind reads ("app_label.ModelName"); the kind is offered only once they exist.
    source_models: tuple[str, ...] = ()
    # Roles that may request it (None: anyone who may request reports).
    roles: tuple[str, ...] | None = None
    # Offered only to users of a state (who get records through grants) or holders
    # of this model permission; others would always get an empty report.
    offered_with_perm: str | None = None
    form_class: type[forms.Form] = PeriodForm
    chart_title = gettext_lazy("Total")

    @property
    def label(self) -> str:
        return str(ReportKind(self.code).label)

    def is_available(self) -> bool:
        """Whether the apps this kind reports on have their models installed."""
        for name in self.source_models:
            try:
                apps.get_model(name)
            except LookupError:
                return False
        return True

    def may_request(self, user) -> bool:
        if not self.is_available() or not user.has_perm("reports.add_reportrequest"):
            return False
        if self.offered_with_perm and not (user.state_id or user.has_perm(self.offered_with_perm)):
            return False
        return self.roles is None or user.is_superuser or user.has_role(*self.roles)

    def clean_parameters(self, data: dict[str, Any]) -> dict[str, Any]:
        """Validate raw parameters; raise ValidationError with field messages."""
        form = self.form_class(data=data)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return form.to_parameters()

    def params(self, raw: dict[str, Any]) -> Params:
        return Params(raw)

    @abstractmethod
    def columns(self) -> list[str]:
        """The header row."""

    @abstractmethod
    def count(self, user, params: Params) -> int:
        """How many rows `rows` will yield (for the progress bar)."""

    @abstractmethod
    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        """The data rows, streamed from visible_to(user)."""

    def markings(self, user, params: Params) -> tuple[str, str]:
        """Highest (TLP, classification) of the records included; ("", "") if unmarked."""
        return "", ""

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        """(category, value) this row adds to the PDF chart, or None."""
        return None

    def title(self, params: Params) -> str:
        return self.label

    def period_text(self, params: Params) -> str:
        text = f"{date_format(params.date_from)} – {date_format(params.date_to)}"
        if params.states:
            text += " · " + ", ".join(params.states)
        return text

    def after_rows(self, report, user, params: Params) -> None:  # noqa: B027 - optional hook, most kinds need none
        """Hook run once the file is written (e.g. the access log of an export)."""


# --- intel: seizures ---------------------------------------------------------------------


def _visible_seizure_items(user, params: Params):
    """Seizure items of the records the user may see, in the period and states."""
    IntelRecord = apps.get_model("intel", "IntelRecord")
    SeizureItem = apps.get_model("intel", "SeizureItem")
    start, end = params.bounds
    visible = IntelRecord.objects.visible_to(user).filter(kind="seizure")
    if params.states:
        visible = visible.filter(originating_state__code__in=params.states)
    return SeizureItem.objects.filter(
        seizure__record__in=visible.values("pk"),
        seizure__occurred_at__gte=start,
        seizure__occurred_at__lt=end,
    )


def _seizure_markings(user, params: Params) -> tuple[str, str]:
    IntelRecord = apps.get_model("intel", "IntelRecord")
    records = IntelRecord.objects.filter(pk__in=_visible_seizure_items(user, params).values("seizure__record_id"))
    tlps = records.values_list("tlp", flat=True).distinct().order_by()
    classes = records.values_list("classification", flat=True).distinct().order_by()
    return highest(tlps, TLP_ORDER, normalise_tlp), highest(classes, CLASSIFICATION_ORDER)


def _substance_labels() -> dict[str, str]:
    from intel.vocabularies import Substance

    return {value: str(label) for value, label in Substance.choices}


class SeizureStatistics(BaseKind):
    """Totals by reporting state, month and substance, in kilograms equivalent.

    A seizure counts for the state that reported it (the record's originating
    state) and the month it happened in (local time). Items counted in tablets
    or doses have no mass: they count as items but add nothing to the kilograms.
    """

    code = ReportKind.SEIZURE_STATISTICS
    source_models = ("intel.IntelRecord", "intel.SeizureReport", "intel.SeizureItem")
    offered_with_perm = "intel.view_intelrecord"
    chart_title = gettext_lazy("Kilograms equivalent by substance")

    def columns(self) -> list[str]:
        return [_("State"), _("State name"), _("Month"), _("Substance"), _("Seizures"), _("Items"), _("Kg equivalent")]

    def _grouped(self, user, params: Params):
        return (
            _visible_seizure_items(user, params)
            .annotate(month=TruncMonth("seizure__occurred_at"))
            .values("seizure__record__originating_state__code", "month", "substance")
            .annotate(
                seizures=Count("seizure", distinct=True),
                items=Count("id"),
                kg=Sum("kg_equivalent"),
            )
            .order_by("seizure__record__originating_state__code", "month", "substance")
        )

    def count(self, user, params: Params) -> int:
        return self._grouped(user, params).count()

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        names = {s.code: s.name for s in State.objects.all()}
        substances = _substance_labels()
        for row in self._grouped(user, params).iterator(chunk_size=ITERATOR_CHUNK):
            code = row["seizure__record__originating_state__code"]
            month = timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]
            yield [
                code,
                names.get(code, code),
                month.strftime("%Y-%m"),
                substances.get(row["substance"], row["substance"]),
                row["seizures"],
                row["items"],
                (row["kg"] or Decimal("0")).quantize(Decimal("0.001")),
            ]

    def markings(self, user, params: Params) -> tuple[str, str]:
        return _seizure_markings(user, params)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return row[3], float(row[6])


class SeizureRegister(BaseKind):
    """Every seized item of the period, one row each, with its record's markings."""

    code = ReportKind.SEIZURE_REGISTER
    source_models = SeizureStatistics.source_models
    offered_with_perm = "intel.view_intelrecord"
    chart_title = gettext_lazy("Kilograms equivalent by substance")

    def columns(self) -> list[str]:
        return [
            _("Reference"),
            _("Occurred at"),
            _("Reporting state"),
            _("Country"),
            _("Place"),
            _("Substance"),
            _("Form"),
            _("Quantity"),
            _("Unit"),
            _("Kg equivalent"),
            _("Purity (%)"),
            _("TLP"),
            _("Classification"),
        ]

    def _values(self, user, params: Params):
        return (
            _visible_seizure_items(user, params)
            .values_list(
                "seizure__record__reference",
                "seizure__occurred_at",
                "seizure__record__originating_state__code",
                "seizure__country",
                "seizure__place",
                "substance",
                "form",
                "quantity",
                "unit",
                "kg_equivalent",
                "purity",
                "seizure__record__tlp",
                "seizure__record__classification",
            )
            .order_by("seizure__occurred_at", "seizure_id", "position", "id")
        )

    def count(self, user, params: Params) -> int:
        return _visible_seizure_items(user, params).count()

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        from intel.vocabularies import SubstanceForm

        substances = _substance_labels()
        forms_ = {value: str(label) for value, label in SubstanceForm.choices}
        for row in self._values(user, params).iterator(chunk_size=ITERATOR_CHUNK):
            ref, at, state, country, place, substance, form, qty, unit, kg, purity, tlp, cls = row
            yield [
                ref,
                naive_local(at),
                state,
                country,
                place,
                substances.get(substance, substance),
                forms_.get(form, form),
                qty,
                unit,
                kg,
                purity,
                tlp_label(normalise_tlp(tlp)),
                classification_label(cls),
            ]

    def markings(self, user, params: Params) -> tuple[str, str]:
        return _seizure_markings(user, params)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return (row[5], float(row[9])) if row[9] is not None else None

    def after_rows(self, report, user, params: Params) -> None:
        """Log the export of every record listed (DESIGN.md: every export of a record is logged).

        Once per report: a re-run after a crash finds the entries and adds none.
        """
        from intel.models import AccessLog, log_export

        detail = f"report #{report.pk}"
        if AccessLog.objects.filter(user=user, action=AccessLog.Action.EXPORT, detail=detail).exists():
            return
        record_ids = (
            _visible_seizure_items(user, params)
            .order_by()
            .values_list("seizure__record_id", flat=True)
            .distinct()
            .iterator(chunk_size=ITERATOR_CHUNK)
        )
        # intel's own export logger, a batch at a time so memory stays flat on large reports.
        while batch := list(islice(record_ids, ITERATOR_CHUNK)):
            log_export(user, batch, detail=detail)


# --- intel: requests for information -----------------------------------------------------


class RFICompliance(BaseKind):
    """How requests for information were answered, by addressee state.

    For each request sent in the period and each addressee state, the first
    response from that state that the requester may see decides: on time (by the
    deadline), late, not answered (deadline passed, no response) or still open.
    """

    code = ReportKind.RFI_COMPLIANCE
    source_models = ("intel.IntelRecord", "intel.RequestForInformation")
    offered_with_perm = "intel.view_intelrecord"
    chart_title = gettext_lazy("Answered on time (%) by addressee state")

    def columns(self) -> list[str]:
        return [
            _("Addressee state"),
            _("State name"),
            _("Requests"),
            _("Answered on time"),
            _("Answered late"),
            _("Not answered"),
            _("Still open"),
            _("On time (%)"),
        ]

    def _pairs(self, user, params: Params):
        """(request, addressee) pairs with the first visible response of the addressee."""
        IntelRecord = apps.get_model("intel", "IntelRecord")
        RFI = apps.get_model("intel", "RequestForInformation")
        through = RFI.addressees.through
        start, end = params.bounds
        visible = IntelRecord.objects.visible_to(user)
        requests = visible.filter(kind="rfi", created_at__gte=start, created_at__lt=end)
        pairs = through.objects.filter(requestforinformation__record__in=requests.values("pk"))
        if params.states:
            pairs = pairs.filter(state__code__in=params.states)
        first_response = (
            visible.filter(
                kind="response",
                in_reply_to_id=OuterRef("requestforinformation__record_id"),
                originating_state_id=OuterRef("state_id"),
            )
            .order_by()
            .values("in_reply_to_id")
            .annotate(first=Min("created_at"))
            .values("first")
        )
        return pairs.annotate(
            answered_at=first_response[:1],
        ).values_list("state__code", "requestforinformation__deadline", "answered_at")

    def _totals(self, user, params: Params) -> dict[str, list[int]]:
        now = timezone.now()
        totals: dict[str, list[int]] = {}
        for code, deadline, answered_at in self._pairs(user, params).iterator(chunk_size=ITERATOR_CHUNK):
            row = totals.setdefault(code, [0, 0, 0, 0, 0])
            row[0] += 1
            if answered_at is not None:
                row[1 if answered_at <= deadline else 2] += 1
            elif deadline < now:
                row[3] += 1
            else:
                row[4] += 1
        return totals

    def count(self, user, params: Params) -> int:
        return len(self._totals(user, params))

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        names = {s.code: s.name for s in State.objects.all()}
        for code, (total, on_time, late, missing, still_open) in sorted(self._totals(user, params).items()):
            due = total - still_open
            rate = (Decimal(on_time * 100) / due).quantize(Decimal("0.1")) if due else None
            yield [code, names.get(code, code), total, on_time, late, missing, still_open, rate]

    def markings(self, user, params: Params) -> tuple[str, str]:
        IntelRecord = apps.get_model("intel", "IntelRecord")
        start, end = params.bounds
        records = IntelRecord.objects.visible_to(user).filter(kind="rfi", created_at__gte=start, created_at__lt=end)
        tlps = records.values_list("tlp", flat=True).distinct().order_by()
        classes = records.values_list("classification", flat=True).distinct().order_by()
        return highest(tlps, TLP_ORDER, normalise_tlp), highest(classes, CLASSIFICATION_ORDER)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return (row[0], float(row[7])) if row[7] is not None else None

    def title(self, params: Params) -> str:
        return _("Compliance with requests for information")


# --- operations -----------------------------------------------------------------------------


class OperationsSummary(BaseKind):
    """Joint operations overlapping the period, with their status and results."""

    code = ReportKind.OPERATIONS_SUMMARY
    source_models = ("operations.JointOperation", "operations.OperationResult", "operations.ResultSeizure")
    offered_with_perm = "operations.view_jointoperation"
    chart_title = gettext_lazy("Operations by status")

    def columns(self) -> list[str]:
        return [
            _("Reference"),
            _("Code name"),
            _("Type"),
            _("Lead state"),
            _("Status"),
            _("Planned start"),
            _("Planned end"),
            _("Arrests"),
            _("Groups dismantled"),
            _("Kg equivalent seized"),
            _("TLP"),
            _("Classification"),
        ]

    def _operations(self, user, params: Params):
        JointOperation = apps.get_model("operations", "JointOperation")
        qs = JointOperation.objects.visible_to(user).filter(
            planned_start__lte=params.date_to, planned_end__gte=params.date_from
        )
        if params.states:
            Participation = apps.get_model("operations", "Participation")
            qs = qs.filter(
                Q(lead_state__code__in=params.states)
                | Exists(Participation.objects.filter(operation=OuterRef("pk"), state__code__in=params.states))
            )
        return qs

    def count(self, user, params: Params) -> int:
        return self._operations(user, params).count()

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        JointOperation = apps.get_model("operations", "JointOperation")
        ResultSeizure = apps.get_model("operations", "ResultSeizure")
        kg = (
            ResultSeizure.objects.filter(operation=OuterRef("pk"))
            .order_by()
            .values("operation")
            .annotate(total=Sum("kg_equivalent"))
            .values("total")
        )
        types = dict(JointOperation._meta.get_field("operation_type").choices)
        statuses = dict(JointOperation._meta.get_field("status").choices)
        qs = (
            self._operations(user, params)
            .annotate(kg=kg[:1])
            .values_list(
                "reference",
                "code_name",
                "operation_type",
                "lead_state__code",
                "status",
                "planned_start",
                "planned_end",
                "result__arrests",
                "result__groups_dismantled",
                "kg",
                "tlp",
                "classification",
            )
            .order_by("planned_start", "id")
        )
        for ref, name, kind, lead, status, start, end, arrests, groups, kg_total, tlp, cls in qs.iterator(
            chunk_size=ITERATOR_CHUNK
        ):
            yield [
                ref,
                name,
                str(types.get(kind, kind)),
                lead,
                str(statuses.get(status, status)),
                start,
                end,
                arrests or 0,
                groups or 0,
                (kg_total or Decimal("0")).quantize(Decimal("0.001")),
                tlp_label(normalise_tlp(tlp)),
                classification_label(cls),
            ]

    def markings(self, user, params: Params) -> tuple[str, str]:
        qs = self._operations(user, params)
        tlps = qs.values_list("tlp", flat=True).distinct().order_by()
        classes = qs.values_list("classification", flat=True).distinct().order_by()
        return highest(tlps, TLP_ORDER, normalise_tlp), highest(classes, CLASSIFICATION_ORDER)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return row[4], 1.0

    def title(self, params: Params) -> str:
        return _("Joint operations summary")


# --- donors -----------------------------------------------------------------------------------


class FundingForm(PeriodForm):
    """The years the period touches count; states do not apply to funding."""

    def to_parameters(self) -> dict[str, Any]:
        params = super().to_parameters()
        params["states"] = []
        return params


class FundingStatus(BaseKind):
    """Pledged, committed, received and outstanding by donor and year, and the year's gap.

    Committed, received and the gap are the donors dashboard's own figures
    (donors.dashboard.funding_summary, OCHA FTS rules), for the years the period
    touches; pledged is the USD value (at the pledge's rate) of the instalments
    due in the year. Only donor relations and coordinators may ask for it, and it
    holds only what `visible_to` gives them (coordinators do not see confidential
    donors).
    """

    code = ReportKind.FUNDING_STATUS
    source_models = ("donors.Donor", "donors.Pledge", "donors.Instalment", "donors.Payment", "donors.BudgetLine")
    roles = FUNDING_ROLES
    form_class = FundingForm
    chart_title = gettext_lazy("Received (USD) by donor")

    def columns(self) -> list[str]:
        return [
            _("Year"),
            _("Donor"),
            _("Pledged (USD)"),
            _("Committed (USD)"),
            _("Received (USD)"),
            _("Outstanding (USD)"),
            _("Requirement (USD)"),
            _("Gap (USD)"),
        ]

    def _years(self, params: Params) -> range:
        return range(params.date_from.year, params.date_to.year + 1)

    def _pledged(self, user, year: int) -> dict[str, Decimal]:
        from donors.money import to_usd

        Instalment = apps.get_model("donors", "Instalment")
        Pledge = apps.get_model("donors", "Pledge")
        pledges = Pledge.objects.visible_to(user).filter(archived_at__isnull=True)
        totals: dict[str, Decimal] = {}
        for donor, amount, rate in (
            Instalment.objects.visible_to(user)
            .filter(pledge__in=pledges.values("pk"), due_on__year=year)
            .values_list("pledge__donor__name", "amount", "pledge__rate_to_usd")
            .iterator(chunk_size=ITERATOR_CHUNK)
        ):
            totals[donor] = totals.get(donor, Decimal("0")) + to_usd(amount, rate)
        return totals

    def _rows(self, user, params: Params) -> list[list[Any]]:
        from donors.dashboard import funding_summary
        from donors.money import cents

        rows: list[list[Any]] = []
        for year in self._years(params):
            summary = funding_summary(user, year)
            pledged = self._pledged(user, year)
            by_donor = {d["name"]: d for d in summary["by_donor"]}
            zero = Decimal("0")
            for name in sorted(set(pledged) | set(by_donor)):
                d = by_donor.get(name, {})
                p, c, r = pledged.get(name, zero), d.get("committed", zero), d.get("received", zero)
                rows.append([year, name, cents(p), cents(c), cents(r), cents(max(p - r, zero)), None, None])
            t = summary["totals"]
            rows.append(
                [
                    year,
                    _("All donors"),
                    cents(sum(pledged.values(), zero)),
                    t["committed"],
                    t["received"],
                    cents(max(sum(pledged.values(), zero) - t["received"], zero)),
                    t["requirement"],
                    t["gap"],
                ]
            )
        return rows

    def count(self, user, params: Params) -> int:
        return len(self._rows(user, params))

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        yield from self._rows(user, params)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return None if row[6] is not None else (row[1], float(row[4]))

    def period_text(self, params: Params) -> str:
        years = self._years(params)
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


KINDS: dict[str, BaseKind] = {
    kind.code: kind
    for kind in (SeizureStatistics(), SeizureRegister(), RFICompliance(), OperationsSummary(), FundingStatus())
}


def get_kind(code: str) -> BaseKind:
    """The kind with this code (KeyError if unknown)."""
    return KINDS[code]


def kinds_for(user) -> list[BaseKind]:
    """The kinds this user may request now."""
    return [kind for kind in KINDS.values() if kind.may_request(user)]
