"""Report kinds over joint operations."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.models import JointOperation, Participation, ResultSeizure

from ..choices import ReportKind
from .base import ITERATOR_CHUNK, Params, StreamedKind, classification_label, highest_markings, tlp_label


class OperationsSummary(StreamedKind):
    """Joint operations overlapping the period, with their status and results."""

    code = ReportKind.OPERATIONS_SUMMARY
    totalled_columns = (7, 8, 9)
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
        qs = JointOperation.objects.visible_to(user).filter(
            planned_start__lte=params.date_to, planned_end__gte=params.date_from
        )
        if params.states:
            qs = qs.filter(
                Q(lead_state__code__in=params.states)
                | Exists(Participation.objects.filter(operation=OuterRef("pk"), state__code__in=params.states))
            )
        return qs

    def count(self, user, params: Params) -> int:
        return self._operations(user, params).count()

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
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
                tlp_label(tlp),
                classification_label(cls),
            ]

    def markings(self, user, params: Params) -> tuple[str, str]:
        return highest_markings(self._operations(user, params))

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return row[4], 1.0

    def title(self, params: Params) -> str:
        return _("Joint operations summary")
