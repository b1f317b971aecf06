"""Template helpers for one visual language: TLP badges in FIRST's colours, coloured
status badges, and numbers and money in the reader's locale."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

register = template.Library()

# ISO 4217 currencies without minor units (the portal's donors pledge in many).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF"})

# Status value -> Bootstrap colour, shared by every app's status badges (operations,
# reports, pledges, RFIs). Values not listed are neutral.
STATUS_COLOURS = {
    "draft": "secondary",
    "proposed": "info",
    "awaiting_approval": "warning",
    "approved": "primary",
    "active": "success",
    "suspended": "warning",
    "completed": "dark",
    "closed": "dark",
    "rejected": "danger",
    "cancelled": "danger",
    "queued": "info",
    "running": "primary",
    "succeeded": "success",
    "failed": "danger",
    "expired": "secondary",
    "open": "primary",
    "answered": "success",
    "overdue": "danger",
    "announced": "secondary",
    "committed": "primary",
    "partially_paid": "info",
    "paid": "success",
    "granted": "success",
    "refused": "danger",
    "pending": "warning",
}


def tlp_css(value: str) -> str:
    """The CSS class of a TLP value: "AMBER+STRICT" -> "tlp-AMBER-STRICT"."""
    return "tlp-" + str(value or "CLEAR").upper().replace("+", "-").replace("_", "-")


@register.simple_tag
def tlp_badge(value: str) -> str:
    """A TLP 2.0 label in FIRST's colours (coloured text on black), e.g. TLP:AMBER."""
    label = f"TLP:{str(value or '').upper().replace('_', '+')}"
    return format_html('<span class="badge tlp-badge {}" data-tlp="{}">{}</span>', tlp_css(value), value, label)


@register.filter
def tlp_class(value: str) -> str:
    return tlp_css(value)


@register.simple_tag
def status_badge(value: str, label: Any) -> str:
    """A status in its colour (the label is the translated display value)."""
    colour = STATUS_COLOURS.get(str(value), "secondary")
    return format_html('<span class="badge text-bg-{} status-badge" data-status="{}">{}</span>', colour, value, label)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def number(value: Any, decimals: int | str = 0) -> str:
    """A number in the reader's locale with grouping: 3,400,000 (en) / 3 400 000 (ru)."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    return number_format(amount, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def money(value: Any, currency: str = "") -> str:
    """An amount with its currency, in the reader's locale: 30,000,000 JPY, 3,400,000.00 USD."""
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    code = (currency or "").upper()
    decimals = 0 if code in ZERO_DECIMAL_CURRENCIES else 2
    text = number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{code}" if code else text


# Parameters that belong to a particular page of a list, dropped when the sort changes.
_PAGE_PARAMS = frozenset({"sort", "page", "after", "before"})


@register.simple_tag(takes_context=True)
def sort_header(context: Any, param: str, label: Any = None, align: str = "") -> str:
    """A `<th>` whose link sorts the list by `param` (core.views.SortableListMixin).

    The current column carries `aria-sort` and an arrow; a click on it reverses the
    order, a click on another column sorts by that one, ascending. Filters stay,
    the page (or keyset position) starts over. `align="end"` for number columns.
    """
    css = format_html(' class="text-{}"', align) if align else ""
    view = context.get("view")
    request = context.get("request")
    if view is None or request is None or param not in getattr(view, "sortable", {}):
        return format_html('<th scope="col"{}>{}</th>', css, label or "")
    label = label if label is not None else view.sortable[param][1]
    current = view.current_sort
    if current.lstrip("-") == param:
        descending = current.startswith("-")
        aria, arrow = ("descending", "\u25bc") if descending else ("ascending", "\u25b2")
        target = param if descending else f"-{param}"
        if descending:
            title = _("Sorted descending; click for ascending")
        else:
            title = _("Sorted ascending; click for descending")
    else:
        aria, arrow, target, title = "none", "", param, _("Sort by this column")
    params = [(k, v) for k, values in request.GET.lists() if k not in _PAGE_PARAMS for v in values]
    params.append(("sort", target))
    return format_html(
        '<th scope="col"{} aria-sort="{}"><a class="sort-link text-reset" href="?{}" title="{}" data-sort="{}">{}'
        "{}</a></th>",
        css,
        aria,
        urlencode(params),
        title,
        param,
        label,
        format_html(' <span aria-hidden="true">{}</span>', arrow) if arrow else "",
    )
