import django_filters

from .choices import ReportFormat, ReportKind, ReportStatus
from .models import ReportRequest


class ReportRequestFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    format = django_filters.ChoiceFilter(choices=ReportFormat.choices)
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    # A scheduled report is one with an owner state.
    scheduled = django_filters.BooleanFilter(field_name="owner_state", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ReportRequest
        fields = ["kind", "format", "status", "scheduled"]
