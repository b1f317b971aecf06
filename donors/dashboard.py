"""The funding picture of a year: budget requirement against committed and received money.

How a pledge counts for year Y (OCHA FTS: only committed and paid money counts):

* committed(Y): the USD value (at the pledge's rate) of its instalments due in Y,
  if an agreement is signed and the pledge is neither cancelled nor written off;
* received(Y): the USD value (at each payment's own rate) of its payments with a
  value date in Y;
* funded(Y): the larger of the two, per pledge, so money received against a
  commitment is not counted twice and money received without one still counts.

gap = requirement - funded; coverage = funded / requirement. Everything is read
through `visible_to(user)` and added up in Python with Decimal (SQLite would sum
decimals as floats).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from core.replica import replica_reads

from .choices import BudgetCategory, Closure, Earmark
from .models import Agreement, BudgetLine, Instalment, Payment, Pledge
from .money import ZERO, cents, to_usd


def _empty() -> dict[str, Decimal]:
    return {"committed": ZERO, "received": ZERO, "funded": ZERO}


def coverage(funded: Decimal, requirement: Decimal) -> Decimal | None:
    """Funded share of the requirement in per cent (one decimal), None without a requirement."""
    if requirement <= 0:
        return None
    return (funded * 100 / requirement).quantize(Decimal("0.1"))


@replica_reads
def funding_summary(user: Any, year: int) -> dict[str, Any]:
    """The dashboard's numbers for `year`, as Decimals, for what `user` may see."""
    start, end = date(year, 1, 1), date(year, 12, 31)

    budget_by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for category, amount in BudgetLine.objects.visible_to(user).filter(year=year).values_list("category", "amount_usd"):
        budget_by_category[category] += amount
    requirement = sum(budget_by_category.values(), ZERO)

    # Archived pledges still count: archiving tidies the working lists, it does not undo money.
    pledges = Pledge.objects.visible_to(user)
    signed = Agreement.objects.filter(pledge=OuterRef("pk"), signed_on__isnull=False)
    info = {
        row["id"]: row
        for row in pledges.annotate(signed=Exists(signed)).values(
            "id", "donor_id", "donor__name", "earmark", "rate_to_usd", "closure", "signed"
        )
    }

    committed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pledge_id, amount in (
        Instalment.objects.visible_to(user)
        .filter(pledge__in=pledges, due_on__range=(start, end))
        .values_list("pledge_id", "amount")
    ):
        row = info[pledge_id]
        if row["signed"] and row["closure"] not in (Closure.CANCELLED, Closure.WRITTEN_OFF):
            committed[pledge_id] += to_usd(amount, row["rate_to_usd"])

    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pledge_id, amount_usd in (
        Payment.objects.visible_to(user)
        .filter(pledge__in=pledges, value_date__range=(start, end))
        .values_list("pledge_id", "amount_usd")
    ):
        received[pledge_id] += amount_usd

    by_donor: dict[int, dict[str, Any]] = {}
    by_earmark: dict[str, dict[str, Decimal]] = {value: _empty() for value in Earmark.values}
    totals = _empty()
    for pledge_id in sorted(set(committed) | set(received)):
        row = info[pledge_id]
        c, r = committed[pledge_id], received[pledge_id]
        funded = max(c, r)
        donor = by_donor.setdefault(row["donor_id"], {"name": row["donor__name"], **_empty()})
        for bucket in (donor, by_earmark[row["earmark"]], totals):
            bucket["committed"] += c
            bucket["received"] += r
            bucket["funded"] += funded

    gap = max(requirement - totals["funded"], ZERO)
    return {
        "year": year,
        "budget": [
            {"category": value, "label": str(label), "amount_usd": budget_by_category.get(value, ZERO)}
            for value, label in BudgetCategory.choices
        ],
        "by_donor": sorted(by_donor.values(), key=lambda d: (-d["funded"], d["name"])),
        "by_earmark": [
            {"earmark": value, "label": str(label), **by_earmark[value]} for value, label in Earmark.choices
        ],
        "totals": {
            "requirement": cents(requirement),
            "committed": cents(totals["committed"]),
            "received": cents(totals["received"]),
            "funded": cents(totals["funded"]),
            "gap": cents(gap),
            "surplus": cents(max(totals["funded"] - requirement, ZERO)),
            "coverage": coverage(totals["funded"], requirement),
        },
    }
