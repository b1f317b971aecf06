"""API filter sets of the members app."""

import django_filters

from .models import Agency, Notice, State


class StateFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = State
        fields = ["code", "status"]


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
