"""Read-only API of the donors' reference objects the UI shows (issue 16): pledging events,
agreements, reporting obligations, exchange rates and budget lines.

Same visibility as the UI (DonorsQuerySet.visible_to: the donors roles, confidential
donors hidden without their permission) and the same 404 for everyone else.
"""

from __future__ import annotations

from rest_framework import serializers

from core.api import VisibleReadOnlyViewSet
from core.pagination import IdCursorPagination
from donors.models import Agreement, BudgetLine, ExchangeRate, PledgingEvent, ReportingObligation

from .views import ACCESS


class PledgingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = PledgingEvent
        fields = ["id", "name", "date", "online", "venue", "notes"]


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "pledge", "reference", "signed_on", "start_on", "end_on", "notes", "created_at"]


class ReportingObligationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingObligation
        fields = [
            "id",
            "agreement",
            "kind",
            "period_start",
            "period_end",
            "due_on",
            "submitted_on",
            "accepted_on",
            "status",
        ]


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate_to_usd", "source"]


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "year", "category", "description", "amount_usd"]


class _DonorsReadOnly(VisibleReadOnlyViewSet):
    permission_classes = ACCESS
    pagination_class = IdCursorPagination


class PledgingEventViewSet(_DonorsReadOnly):
    queryset, serializer_class = PledgingEvent.objects.all(), PledgingEventSerializer


class AgreementViewSet(_DonorsReadOnly):
    queryset, serializer_class = Agreement.objects.all(), AgreementSerializer


class ReportingObligationViewSet(_DonorsReadOnly):
    queryset, serializer_class = ReportingObligation.objects.all(), ReportingObligationSerializer


class ExchangeRateViewSet(_DonorsReadOnly):
    queryset, serializer_class = ExchangeRate.objects.all(), ExchangeRateSerializer


class BudgetLineViewSet(_DonorsReadOnly):
    queryset, serializer_class = BudgetLine.objects.all(), BudgetLineSerializer
