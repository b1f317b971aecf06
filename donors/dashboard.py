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

from django.db import connections
from django.db.models import DecimalField, Exists, F, OuterRef, Value
from django.db.models.functions import Round
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.replica import replica_reads
from core.visibility import PANEL_COUNT_CAP, capped_count

from .choices import BudgetCategory, Closure, Earmark, InstalmentStatus, ObligationStatus
from .models import Agreement, BudgetLine, Instalment, Payment, Pledge, ReportingObligation
from .money import ZERO, cents, to_usd

# The home page's "Overdue" panel counts at most this many and then says "more than N".
OVERDUE_PANEL_CAP = PANEL_COUNT_CAP


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


def _money(value: Any) -> Decimal:
    # SQLite answers floats; money is kept in cents.
    return cents(Decimal(str(value))) if value is not None else ZERO


def funding_coverage(user: Any, year: int) -> Decimal | None:
    """The year's coverage in per cent (funding_summary's), in one query: for the home page."""
    requirement, funded = year_totals(user, year)
    return coverage(funded, requirement)


@replica_reads
def year_totals(user: Any, year: int) -> tuple[Decimal, Decimal]:
    """The year's requirement and funded money (funding_summary's totals), in one query.

    One statement reads the year's budget lines (index on year), the instalments due
    in the year (index on due_on) and the payments value-dated in it (index on
    value_date), each through `visible_to(user)`, adds committed and received per
    pledge and takes the larger, as funding_summary does row by row in Python. Its
    cost follows the rows of that one year, not the pledges of every year (the
    dashboard's summary reads every visible pledge). An aggregate is not capped: it
    has to add every row of the year.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    money = DecimalField(max_digits=18, decimal_places=2)
    signed = Agreement.objects.filter(pledge=OuterRef("pledge_id"), signed_on__isnull=False)
    committed = (
        Instalment.objects.visible_to(user)
        .filter(Exists(signed), due_on__range=(start, end))
        .exclude(pledge__closure__in=[Closure.CANCELLED, Closure.WRITTEN_OFF])
        .order_by()
        .annotate(c=Round(F("amount") * F("pledge__rate_to_usd"), 2, output_field=money), r=Value(ZERO, money))
        .values_list("pledge_id", "c", "r")
    )
    received = (
        Payment.objects.visible_to(user)
        .filter(value_date__range=(start, end))
        .order_by()
        .annotate(c=Value(ZERO, money), r=F("amount_usd"))
        .values_list("pledge_id", "c", "r")
    )
    budget = BudgetLine.objects.visible_to(user).filter(year=year).order_by().values_list("amount_usd")
    parts = [qs for qs in (committed, received) if not qs.query.is_empty()]
    if budget.query.is_empty():
        return ZERO, ZERO
    db = budget.db
    budget_sql, budget_params = budget.query.get_compiler(db).as_sql()
    if parts:
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        union_sql, union_params = union.query.get_compiler(db).as_sql()
        funded_sql = (
            "SELECT SUM(CASE WHEN c > r THEN c ELSE r END) FROM ("  # noqa: S608 - compiled querysets
            f"SELECT SUM(u.c) AS c, SUM(u.r) AS r FROM ({union_sql}) u GROUP BY u.pledge_id) per_pledge"
        )
    else:
        funded_sql, union_params = "SELECT NULL", ()
    query = f"SELECT (SELECT SUM(b.amount_usd) FROM ({budget_sql}) b), ({funded_sql})"  # noqa: S608
    with connections[db].cursor() as cursor:
        cursor.execute(query, (*budget_params, *union_params))
        requirement, funded = cursor.fetchone()
    return _money(requirement), _money(funded)


@replica_reads
def overdue_count(user: Any, cap: int | None = None) -> int | str | Promise:
    """Overdue instalments plus overdue reporting obligations, or "more than `cap`".

    Two counts of at most cap + 1 rows each (core.visibility.capped_count's shape),
    read from the (status, due_on) index of each table through `visible_to(user)`.
    """
    cap = OVERDUE_PANEL_CAP if cap is None else cap
    counts = [
        capped_count(model.objects.visible_to(user).filter(status=status), cap)
        for model, status in (
            (Instalment, InstalmentStatus.OVERDUE),
            (ReportingObligation, ObligationStatus.OVERDUE),
        )
    ]
    if all(isinstance(n, int) for n in counts) and sum(counts) <= cap:
        return sum(counts)
    # The same words as capped_count's.
    return format_lazy(_("more than {n}"), n=cap)
