import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import ReportFormat, ReportKind, ReportStatus
from .models import ReportRequest


class ReportRequestFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(empty_label=_("All"), choices=ReportKind.choices)
    format = django_filters.ChoiceFilter(empty_label=_("All"), choices=ReportFormat.choices)
    status = django_filters.ChoiceFilter(empty_label=_("All"), choices=ReportStatus.choices)
    # A scheduled report is one with an owner state.
    scheduled = django_filters.BooleanFilter(field_name="owner_state", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ReportRequest
        fields = ["kind", "format", "status", "scheduled"]
