"""Report kinds over intel: seizure statistics, the seizure register, compliance with requests for information."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Count, Min, OuterRef, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intel.models import IntelRecord, RequestForInformation, SeizureItem, log_export
from intel.vocabularies import HANDLING_RANK, RecordKind, Substance, SubstanceForm, handling_notice
from members.models import State

from ..choices import ReportKind
from .base import (
    ITERATOR_CHUNK,
    AggregateKind,
    Params,
    StreamedKind,
    classification_label,
    highest_markings,
    naive_local,
    tlp_label,
)


def visible_seizure_items(user, params: Params):
    """Seizure items of the records the user may see, in the period and states."""
    start, end = params.bounds
    visible = IntelRecord.objects.visible_to(user).filter(kind=RecordKind.SEIZURE)
    if params.states:
        visible = visible.filter(originating_state__code__in=params.states)
    return SeizureItem.objects.filter(
        seizure__record__in=visible.values("pk"),
        seizure__occurred_at__gte=start,
        seizure__occurred_at__lt=end,
    )


def highest_handling(records) -> str:
    """The strictest handling code among `records` (H3 before H2, H1, H0)."""
    codes = set(records.order_by().values_list("handling_code", flat=True).distinct())
    return max(codes, key=lambda c: HANDLING_RANK.get(c, -1), default="")


def seizure_handling(user, params: Params) -> str:
    return highest_handling(
        IntelRecord.objects.filter(pk__in=visible_seizure_items(user, params).values("seizure__record_id"))
    )


def seizure_markings(user, params: Params) -> tuple[str, str]:
    """Highest markings of the seizure records whose items a seizure report lists."""
    return highest_markings(
        IntelRecord.objects.filter(pk__in=visible_seizure_items(user, params).values("seizure__record_id"))
    )


def substance_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Substance.choices}


class SeizureStatistics(AggregateKind):
    """Totals by reporting state, month and substance, in kilograms equivalent.

    A seizure counts for the state that reported it (the record's originating
    state) and the month it happened in (local time). Items counted in tablets
    or doses have no mass: they count as items but add nothing to the kilograms.
    """

    code = ReportKind.SEIZURE_STATISTICS
    totalled_columns = (4, 5, 6)
    weight_columns = (6,)
    offered_with_perm = "intel.view_intelrecord"
    chart_title = gettext_lazy("Kilograms equivalent by substance")

    def columns(self) -> list[str]:
        return [_("State"), _("State name"), _("Month"), _("Substance"), _("Seizures"), _("Items"), _("Kg equivalent")]

    def _grouped(self, user, params: Params):
        return (
            visible_seizure_items(user, params)
            .annotate(month=TruncMonth("seizure__occurred_at"))
            .values("seizure__record__originating_state__code", "month", "substance")
            .annotate(
                seizures=Count("seizure", distinct=True),
                items=Count("id"),
                kg=Sum("kg_equivalent"),
            )
            .order_by("seizure__record__originating_state__code", "month", "substance")
        )

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        names = {s.code: s.name for s in State.objects.all()}
        substances = substance_labels()
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
                # None: only items counted in units (tablets), which have no mass.
                None if row["kg"] is None else row["kg"].quantize(Decimal("0.001")),
            ]

    def markings(self, user, params: Params) -> tuple[str, str]:
        return seizure_markings(user, params)

    def handling(self, user, params: Params) -> str:
        return seizure_handling(user, params)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return (row[3], float(row[6])) if row[6] is not None else None


class SeizureRegister(StreamedKind):
    """Every seized item of the period, one row each, with its record's markings."""

    code = ReportKind.SEIZURE_REGISTER
    totalled_columns = (9,)
    weight_columns = (9,)

    def handling(self, user, params: Params) -> str:
        return seizure_handling(user, params)

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
            _("Handling notice"),
        ]

    def count(self, user, params: Params) -> int:
        return visible_seizure_items(user, params).count()

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        substances = substance_labels()
        forms_ = {value: str(label) for value, label in SubstanceForm.choices}
        values = (
            visible_seizure_items(user, params)
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
                "seizure__record__handling_code",
                "seizure__record__handling_note",
            )
            .order_by("seizure__occurred_at", "seizure_id", "position", "id")
        )
        for row in values.iterator(chunk_size=ITERATOR_CHUNK):
            ref, at, state, country, place, substance, form, qty, unit, kg, purity, tlp, cls, code, note = row
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
                tlp_label(tlp),
                classification_label(cls),
                # H1 (not for use as evidence...) and H3 conditions travel with every copy (issue 10).
                handling_notice(code, note),
            ]

    def markings(self, user, params: Params) -> tuple[str, str]:
        return seizure_markings(user, params)

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return (row[5], float(row[9])) if row[9] is not None else None

    def audit(self, report, user, params: Params) -> None:
        """Log the export of every record listed (every export of a record is logged).

        Runs in the transaction that marks the report done (reports.tasks), so a
        crashed build leaves no entry and the re-run logs each record once.
        """
        record_ids = (
            visible_seizure_items(user, params)
            .order_by()
            .values_list("seizure__record_id", flat=True)
            .distinct()
            .iterator(chunk_size=ITERATOR_CHUNK)
        )
        # intel's own export logger, a batch at a time so memory stays flat on large reports.
        while batch := list(islice(record_ids, ITERATOR_CHUNK)):
            log_export(user, batch, detail=f"report #{report.pk}")


class RFICompliance(AggregateKind):
    """How requests for information were answered, by addressee state.

    For each request sent in the period and each addressee state, the first
    response from that state that the requester may see decides: on time (by the
    deadline), late, not answered (deadline passed, no response) or still open.
    """

    code = ReportKind.RFI_COMPLIANCE
    totalled_columns = (2, 3, 4, 5, 6)
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

    def _requests(self, user, params: Params):
        start, end = params.bounds
        visible = IntelRecord.objects.visible_to(user)
        return visible.filter(kind=RecordKind.RFI, created_at__gte=start, created_at__lt=end)

    def _pairs(self, user, params: Params):
        """(request, addressee) pairs with the first visible response of the addressee."""
        through = RequestForInformation.addressees.through
        pairs = through.objects.filter(requestforinformation__record__in=self._requests(user, params).values("pk"))
        if params.states:
            pairs = pairs.filter(state__code__in=params.states)
        first_response = (
            IntelRecord.objects.visible_to(user)
            .filter(
                kind=RecordKind.RESPONSE,
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

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
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
        names = {s.code: s.name for s in State.objects.all()}
        for code, (total, on_time, late, missing, still_open) in sorted(totals.items()):
            due = total - still_open
            rate = (Decimal(on_time * 100) / due).quantize(Decimal("0.1")) if due else None
            yield [code, names.get(code, code), total, on_time, late, missing, still_open, rate]

    def markings(self, user, params: Params) -> tuple[str, str]:
        return highest_markings(self._requests(user, params))

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return (row[0], float(row[7])) if row[7] is not None else None

    def title(self, params: Params) -> str:
        return _("Compliance with requests for information")
