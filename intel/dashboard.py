"""The seizure dashboard: a map of seizures and their trends by month and substance.

Both read the seizure records the user may see (`IntelRecord.objects.visible_to`),
filtered by the same filter set as the inbox, so the map never shows a point the
list would not. The map is drawn with Leaflet on the country boundaries vendored in
static/vendor/world-atlas (closed networks have no tile server).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from django_countries import countries

from .filters import IntelRecordFilterSet
from .forms import RecordFilterForm
from .models import IntelRecord, SeizureItem, SeizureReport
from .views import render_filter_form
from .vocabularies import RecordKind, Substance

# The map draws the newest points first and stops here: a map of more points is
# unreadable, and the list pages are the way to the rest.
MAP_POINT_LIMIT = 2000
TREND_MONTHS = 12


def visible_seizure_records(request) -> Any:
    """Seizure records the user may see, narrowed by the inbox's filters."""
    records = IntelRecord.objects.visible_to(request.user).filter(kind=RecordKind.SEIZURE)
    return IntelRecordFilterSet(request.GET, queryset=records, request=request).qs


def map_points(request) -> dict[str, Any]:
    """Points with coordinates, newest first, with each seizure's substances (two queries)."""
    seizures = list(
        SeizureReport.objects.filter(record__in=visible_seizure_records(request).values("pk"), latitude__isnull=False)
        .order_by("-occurred_at", "-id")
        .values("id", "record_id", "record__reference", "occurred_at", "place", "country", "latitude", "longitude")[
            : MAP_POINT_LIMIT + 1
        ]
    )
    truncated = len(seizures) > MAP_POINT_LIMIT
    seizures = seizures[:MAP_POINT_LIMIT]
    substances: dict[int, dict[str, Decimal]] = {}
    labels = dict(Substance.choices)
    for row in (
        SeizureItem.objects.filter(seizure_id__in=[s["id"] for s in seizures])
        .values("seizure_id", "substance")
        .annotate(kg=Sum("kg_equivalent"))
    ):
        substances.setdefault(row["seizure_id"], {})[str(labels.get(row["substance"], row["substance"]))] = row["kg"]
    points = [
        {
            "reference": s["record__reference"],
            "url": reverse("intel:record-detail", args=[s["record_id"]]),
            "date": timezone.localtime(s["occurred_at"]).date().isoformat(),
            "place": s["place"],
            "country": str(countries.name(s["country"]) or s["country"]),
            "lat": float(s["latitude"]),
            "lon": float(s["longitude"]),
            "substances": {name: float(kg or 0) for name, kg in substances.get(s["id"], {}).items()},
        }
        for s in seizures
    ]
    return {"points": points, "truncated": truncated, "limit": MAP_POINT_LIMIT}


def _month_start(day: dt.date, back: int) -> dt.date:
    """The first day of the month `back` months before `day`'s month."""
    month_index = day.year * 12 + day.month - 1 - back
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def trends(request, today: dt.date | None = None) -> dict[str, Any]:
    """Kilograms seized per month and substance over the last TREND_MONTHS months.

    A range on the indexed occurred_at in the portal's time zone, then one GROUP BY:
    the cost follows the window, not the table.
    """
    today = today or timezone.localdate()
    first = _month_start(today, TREND_MONTHS - 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    months = [_month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]
    rows = (
        SeizureItem.objects.filter(
            seizure__record__in=visible_seizure_records(request).values("pk"),
            seizure__occurred_at__gte=start,
            kg_equivalent__isnull=False,
        )
        .annotate(month=TruncMonth("seizure__occurred_at", tzinfo=tz))
        .values("month", "substance")
        .annotate(kg=Sum("kg_equivalent"))
        .order_by()
    )
    series: dict[str, list[float]] = {}
    labels = dict(Substance.choices)
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        name = str(labels.get(row["substance"], row["substance"]))
        values = series.setdefault(name, [0.0] * len(months))
        if month in months:
            values[months.index(month)] += float(row["kg"] or 0)
    return {"months": [m.strftime("%Y-%m") for m in months], "series": series}


class SeizureDashboardView(LoginRequiredMixin, TemplateView):
    """The map and the trends, with the inbox's filters."""

    template_name = "intel/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_html"] = render_filter_form(RecordFilterForm(self.request.GET or None))
        context["map_data"] = map_points(self.request)
        context["trends"] = trends(self.request)
        return context
