"""Filters of record lists, shared by the API and the UI: kind, state, substance, dates, TLP, text."""

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import FilteredRelation, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import LightFilterSet
from members.models import State

from .models import IntelRecord, RecipientSubstance, RecordSubstance
from .vocabularies import TLP, RecordKind, Substance


def with_substance(queryset, substance: str):
    """The records of `queryset` (a visible_to list) holding `substance` among their
    seizure items, read from the substance's own indexes (docs/performance.md, issue 15).

    A state's list (driven from its recipient rows) takes `id IN (its RecipientSubstance
    rows for the substance)`: a semi-join whose estimate PostgreSQL gets right, so it
    either walks the recipient index in order probing (group, record, substance), or
    reads the (group, substance) rows and probes the recipient rows, whichever the two
    counts make cheaper. Any other list (a centre role, a user in several state groups)
    joins RecordSubstance, one row per record and substance, and `drive_from` moves the
    ordering onto it: the first page reads (substance, created_at, record) in order,
    whatever the number of matching items. The visibility conditions stay as they are.
    """
    group_id = queryset.recipient_group_id()
    if group_id is not None:
        rows = RecipientSubstance.objects.filter(group_id=group_id, substance=substance).values("record_id")
        return queryset.filter(pk__in=rows)
    qs = queryset.alias(
        substance_row=FilteredRelation("substance_rows", condition=Q(substance_rows__substance=substance))
    )
    qs = qs.filter(substance_row__substance=substance)  # an inner join, one row per record
    return qs.drive_from("substance_row", RecordSubstance, "record")


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
        return with_substance(queryset, value)

    def filter_inbox(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.from_other_states(user)
        return queryset
