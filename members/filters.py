"""Filter sets of the members app, shared by the UI lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Agency, Notice, State


class StateFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")
    status = django_filters.ChoiceFilter(choices=State.Status.choices, empty_label=_("All"), label=_("Status"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = State
        fields = ["code", "status", "q"]

    def search(self, queryset, name, value):
        """Name in either language, or the exact code."""
        return queryset.filter(Q(name_en__icontains=value) | Q(name_ru__icontains=value) | Q(code__iexact=value))


class AgencyFilterSet(django_filters.FilterSet):
    state = django_filters.CharFilter(field_name="state__code", lookup_expr="iexact", label="State code")

    class Meta:
        model = Agency
        fields = ["state", "kind"]


class NoticeFilterSet(django_filters.FilterSet):
    originating_state = django_filters.CharFilter(field_name="originating_state__code", lookup_expr="iexact")

    class Meta:
        model = Notice
        fields = ["originating_state"]
