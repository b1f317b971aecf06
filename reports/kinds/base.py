"""What every report kind shares: the parameters form, the typed parameters, the base classes, markings.

A kind validates its parameters, yields a header and rows read ONLY through
`Model.objects.visible_to(requester)` (evaluated in the worker, for the user the
report belongs to), names the highest markings of the records it includes, and
picks one number per row for the PDF's chart. The framework (reports/services.py,
reports/tasks.py, reports/writers.py) does the rest: progress, files, formats.

Rows are plain values (str, int, Decimal, naive local date/datetime) so every
writer can take them; querysets are streamed with `.values()` and `.iterator()`
so memory stays flat however many rows there are.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validators import validate_data_year
from intel.vocabularies import TLP, Classification
from members.models import State

from ..choices import ReportKind

MAX_PERIOD_DAYS = 366 * 10
ITERATOR_CHUNK = 2000


# --- markings (intel.vocabularies declares TLP and Classification lowest first) --------------


def highest(values: Iterable[str], choices: type[TLP] | type[Classification]) -> str:
    """The highest of `values` in the order `choices` declares them ("" when none is known)."""
    order = list(choices.values)
    ranks = [order.index(v) for v in values if v in order]
    return order[max(ranks)] if ranks else ""


def highest_markings(queryset) -> tuple[str, str]:
    """Highest (TLP, classification) of a queryset of marked rows (records, operations)."""
    tlps = queryset.values_list("tlp", flat=True).distinct().order_by()
    classes = queryset.values_list("classification", flat=True).distinct().order_by()
    return highest(tlps, TLP), highest(classes, Classification)


def tlp_label(value: str) -> str:
    """ "AMBER" -> "TLP:AMBER" ("" for no or an unknown marking)."""
    return str(TLP(value).label) if value in TLP.values else ""


def classification_label(value: str) -> str:
    """The translated name of a classification (the value itself if unknown)."""
    return str(Classification(value).label) if value in Classification.values else value


# --- time -----------------------------------------------------------------------------------


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


# --- parameters -----------------------------------------------------------------------------


class PeriodForm(forms.Form):
    """Parameters most kinds share: a period and, optionally, the states to cover."""

    # Within the data's years (core.validators): 9990-9999 is refused here, not failed by the worker.
    date_from = forms.DateField(label=gettext_lazy("From"), validators=[validate_data_year])
    date_to = forms.DateField(label=gettext_lazy("To"), validators=[validate_data_year])
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


# --- the base classes ------------------------------------------------------------------------


class BaseKind(ABC):
    """What every kind provides. Subclasses set the class attributes, `columns` and `rows`.

    Derive from `StreamedKind` (one row per record, streamed) or `AggregateKind`
    (a small table computed in one pass), which say how `table` gets the row
    count for the progress bar without building the report twice.
    """

    code: str = ""
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

    def may_request(self, user) -> bool:
        if not user.has_perm("reports.add_reportrequest"):
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
    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        """The data rows, read from visible_to(user)."""

    @abstractmethod
    def table(self, user, params: Params) -> tuple[int, Iterable[list[Any]]]:
        """How many rows there will be (for the progress bar) and the rows."""

    # The columns the PDF adds up in its totals row (indexes into columns()); sums that
    # mean nothing (years, rates, quantities in mixed units) are left out by naming.
    totalled_columns: tuple[int, ...] = ()
    # The columns holding kilograms: an empty cell there is an item counted in units
    # (tablets, doses), which the PDF says in words instead of "0.000".
    weight_columns: tuple[int, ...] = ()

    def markings(self, user, params: Params) -> tuple[str, str]:
        """Highest (TLP, classification) of the records included; ("", "") if unmarked."""
        return "", ""

    def handling(self, user, params: Params) -> str:
        """Highest handling code (H0-H3) of the records included; "" if none."""
        return ""

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

    def audit(self, report, user, params: Params) -> None:  # noqa: B027 - optional hook, most kinds need none
        """Write the export's audit trail (e.g. intel's access log).

        Called inside the transaction that stores the file's completion, so the
        audit and the finished report commit together or not at all.
        """


class StreamedKind(BaseKind):
    """One row per database row, streamed: a COUNT for the progress bar, then the rows."""

    @abstractmethod
    def count(self, user, params: Params) -> int:
        """How many rows `rows` will yield (one COUNT query, not the rows)."""

    def table(self, user, params: Params) -> tuple[int, Iterable[list[Any]]]:
        return self.count(user, params), self.rows(user, params)


class AggregateKind(BaseKind):
    """A table of totals small enough to hold (a few rows per state, month or donor).

    Computed once; its length is the count. Counting it separately would run
    the whole aggregation twice.
    """

    def table(self, user, params: Params) -> tuple[int, Iterable[list[Any]]]:
        rows = list(self.rows(user, params))
        return len(rows), rows
