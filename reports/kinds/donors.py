"""Report kinds over donors: the funding status."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from donors.dashboard import funding_summary
from donors.models import Instalment, Pledge
from donors.money import cents, to_usd
from members.roles import Role

from ..choices import ReportKind
from .base import ITERATOR_CHUNK, AggregateKind, Params, PeriodForm

# Centre roles who may ask for funding figures (the issue: donor relations and coordinators).
FUNDING_ROLES = (Role.DONOR_RELATIONS, Role.COORDINATOR)


class FundingForm(PeriodForm):
    """The years the period touches count; states do not apply to funding."""

    def to_parameters(self) -> dict[str, Any]:
        params = super().to_parameters()
        params["states"] = []
        return params


class FundingStatus(AggregateKind):
    """Pledged, committed, received and outstanding by donor and year, and the year's gap.

    Committed, received and the gap are the donors dashboard's own figures
    (donors.dashboard.funding_summary, OCHA FTS rules), for the years the period
    touches; pledged is the USD value (at the pledge's rate) of the instalments
    due in the year. Only donor relations and coordinators may ask for it, and it
    holds only what `visible_to` gives them (coordinators do not see confidential
    donors).
    """

    code = ReportKind.FUNDING_STATUS
    totalled_columns = (2, 3, 4, 5)
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

    def rows(self, user, params: Params) -> Iterator[list[Any]]:
        zero = Decimal("0")
        for year in self._years(params):
            summary = funding_summary(user, year)
            pledged = self._pledged(user, year)
            by_donor = {d["name"]: d for d in summary["by_donor"]}
            for name in sorted(set(pledged) | set(by_donor)):
                d = by_donor.get(name, {})
                p, c, r = pledged.get(name, zero), d.get("committed", zero), d.get("received", zero)
                yield [year, name, cents(p), cents(c), cents(r), cents(max(p - r, zero)), None, None]
            t = summary["totals"]
            total_pledged = sum(pledged.values(), zero)
            yield [
                year,
                _("All donors"),
                cents(total_pledged),
                t["committed"],
                t["received"],
                cents(max(total_pledged - t["received"], zero)),
                t["requirement"],
                t["gap"],
            ]

    def chart_point(self, row: list[Any]) -> tuple[str, float] | None:
        return None if row[6] is not None else (row[1], float(row[4]))

    def period_text(self, params: Params) -> str:
        years = self._years(params)
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
