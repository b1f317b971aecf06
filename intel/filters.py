"""Filters of record lists, shared by the API and the UI: kind, state, substance, dates, TLP, text."""

from datetime import date, datetime, time, timedelta

import django_filters
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import LightFilterSet
from members.models import State

from .models import IntelRecord, SeizureItem
from .vocabularies import TLP, RecordKind, Substance


class IdInArray(Func):
    """`<id> = ANY(ARRAY(<subquery>))` (PostgreSQL): the subquery runs once, as an
    InitPlan, and the planner reads its ids through the primary key."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        lhs, lhs_params = compiler.compile(self.source_expressions[0])
        rhs, rhs_params = compiler.compile(self.source_expressions[1])
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def local_midnight(day: date) -> datetime:
    """The aware start of `day` in the portal's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class IntelRecordFilterSet(LightFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(empty_label=_("All"), choices=RecordKind.choices, label=_("Kind"))
    state = django_filters.CharFilter(method="filter_state", label=_("Originating state (ISO code)"))
    substance = django_filters.ChoiceFilter(
        empty_label=_("All"), choices=Substance.choices, method="filter_substance", label=_("Substance")
    )
    created_after = django_filters.DateFilter(method="filter_created_after", label=_("From"))
    created_before = django_filters.DateFilter(method="filter_created_before", label=_("To"))
    tlp = django_filters.ChoiceFilter(empty_label=_("All"), choices=TLP.choices, label=_("TLP"))
    inbox = django_filters.BooleanFilter(method="filter_inbox", label=_("Only records from other states"))

    class Meta:
        model = IntelRecord
        fields = ["q", "kind", "state", "substance", "created_after", "created_before", "tlp", "status", "inbox"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_state(self, queryset, name, value):
        # The state's id as a scalar subquery (codes are stored in capitals): an equality
        # on originating_state_id walks the (state, created_at) index in order, where a
        # join on the code would read every record of the state and sort them.
        state_id = Subquery(State.objects.filter(code=value.strip().upper()).values("pk")[:1])
        return queryset.filter(originating_state_id=state_id)

    # Dates are days in the portal's time zone (Asia/Almaty): a range on the indexed
    # created_at from that day's local midnight, never `created_at__date`, which
    # converts every row's timestamp and keeps PostgreSQL off the index.
    def filter_created_after(self, queryset, name, value):
        return queryset.filter(created_at__gte=local_midnight(value))

    def filter_created_before(self, queryset, name, value):
        return queryset.filter(created_at__lt=local_midnight(value + timedelta(days=1)))

    def filter_substance(self, queryset, name, value):
        items = SeizureItem.objects.filter(substance=value)
        if connection.vendor == "postgresql":
            # Driven from the items' substance index: `id = ANY(ARRAY(...))` reads the
            # matching records by primary key and sorts them. An EXISTS probe per row
            # of the ordered list walked the whole table when the matches were old
            # (4.7 s for a coordinator at 1M records, docs/performance.md).
            return queryset.filter(IdInArray(F("pk"), Subquery(items.order_by().values("seizure__record_id"))))
        # EXISTS rather than a join: one row per record however many items match.
        return queryset.filter(Exists(items.filter(seizure__record=OuterRef("pk"))))

    def filter_inbox(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.from_other_states(user)
        return queryset
