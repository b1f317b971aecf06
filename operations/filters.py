"""Filters of the operation list (UI and API share them)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from members.models import State

from .choices import OperationType, Status
from .models import JointOperation


class JointOperationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(empty_label=_("All"), label=_("Status"), choices=Status.choices)
    operation_type = django_filters.ChoiceFilter(empty_label=_("All"), label=_("Type"), choices=OperationType.choices)
    state = django_filters.ModelChoiceFilter(
        empty_label=_("All"),
        label=_("State"),
        queryset=State.objects.all(),
        to_field_name="code",
        method="filter_state",
    )
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year")
    archived = django_filters.BooleanFilter(label=_("Archived"), method="filter_archived")

    class Meta:
        model = JointOperation
        fields = ["status", "operation_type", "state", "year", "archived"]

    @extend_schema_field(OpenApiTypes.STR)  # an ISO code, e.g. UZ
    def filter_state(self, queryset, name, value):
        return queryset.with_state(value)

    def filter_year(self, queryset, name, value):
        return queryset.in_year(int(value))

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)
