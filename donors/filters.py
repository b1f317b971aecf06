"""Filter sets of the donors app, shared by the UI lists and the API."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import DonorType, Earmark, PledgeStatus
from .models import Donor, Payment, Pledge, PledgingEvent


# Choice filters offer only what the user may see: a "valid choice" answer would
# otherwise confirm that a confidential donor's id exists.
def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


class DonorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    type = django_filters.ChoiceFilter(empty_label=_("All"), choices=DonorType.choices, label=_("Type"))
    country = django_filters.CharFilter(lookup_expr="iexact", label=_("Country"))
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Donor
        fields = ["q", "type", "country", "confidential", "archived"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(country__iexact=value))


class PledgeFilterSet(django_filters.FilterSet):
    donor = django_filters.ModelChoiceFilter(empty_label=_("All"), queryset=_visible(Donor), label=_("Donor"))
    event = django_filters.ModelChoiceFilter(
        empty_label=_("All"), queryset=_visible(PledgingEvent), label=_("Pledging event")
    )
    status = django_filters.ChoiceFilter(empty_label=_("All"), choices=PledgeStatus.choices, label=_("Status"))
    earmark = django_filters.ChoiceFilter(empty_label=_("All"), choices=Earmark.choices, label=_("Earmark"))
    currency = django_filters.CharFilter(lookup_expr="iexact", label=_("Currency"))
    year = django_filters.NumberFilter(method="covers_year", label=_("Year covered"))
    overpaid = django_filters.BooleanFilter(method="filter_overpaid", label=_("Overpaid"))
    archived = django_filters.BooleanFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Pledge
        fields = ["donor", "event", "status", "earmark", "currency", "overpaid", "year", "archived"]

    def covers_year(self, queryset, name, value):
        return queryset.filter(year_from__lte=value, year_to__gte=value)

    def filter_overpaid(self, queryset, name, value):
        overpaid = Q(received_amount__gt=F("amount"))
        return queryset.filter(overpaid) if value else queryset.exclude(overpaid)


class PaymentFilterSet(django_filters.FilterSet):
    pledge = django_filters.ModelChoiceFilter(empty_label=_("All"), queryset=_visible(Pledge))
    value_date_after = django_filters.DateFilter(field_name="value_date", lookup_expr="gte")
    value_date_before = django_filters.DateFilter(field_name="value_date", lookup_expr="lte")
    currency = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Payment
        fields = ["pledge", "currency", "value_date_after", "value_date_before"]
