"""Filters of record lists, shared by the API and the UI: kind, state, substance, dates, TLP, text."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .models import IntelRecord, SeizureItem
from .vocabularies import TLP, RecordKind, Substance


class IntelRecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices, label=_("Kind"))
    state = django_filters.CharFilter(
        field_name="originating_state__code", lookup_expr="iexact", label=_("Originating state (ISO code)")
    )
    substance = django_filters.ChoiceFilter(choices=Substance.choices, method="filter_substance", label=_("Substance"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))
    tlp = django_filters.ChoiceFilter(choices=TLP.choices, label=_("TLP"))
    inbox = django_filters.BooleanFilter(method="filter_inbox", label=_("Only records from other states"))

    class Meta:
        model = IntelRecord
        fields = ["q", "kind", "state", "substance", "created_after", "created_before", "tlp", "status", "inbox"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_substance(self, queryset, name, value):
        # EXISTS rather than a join: one row per record however many items match.
        return queryset.filter(Exists(SeizureItem.objects.filter(seizure__record=OuterRef("pk"), substance=value)))

    def filter_inbox(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.from_other_states(user)
        return queryset
