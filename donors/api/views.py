"""API of the donors app: donors, pledges, payments and the funding summary of a year."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Conflict, ModelPermissions, VisibleModelViewSet, VisibleViewSetMixin
from donors.dashboard import funding_summary
from donors.filters import DonorFilterSet, PaymentFilterSet, PledgeFilterSet
from donors.forms import YearForm
from donors.models import Donor, Payment, Pledge, may_use_donors

from .serializers import (
    CloseSerializer,
    DonorSerializer,
    FundingSummarySerializer,
    PaymentSerializer,
    PledgeSerializer,
)


class DonorsAccess(permissions.BasePermission):
    """Users without any donors permission (liaison officers, partner systems) get 404."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not may_use_donors(request.user):
            raise exceptions.NotFound()
        return True


# ModelPermissions accepts the model permission for writes on an object (role-based data).
ACCESS = [permissions.IsAuthenticated, DonorsAccess, ModelPermissions]


class DonorViewSet(VisibleModelViewSet):
    queryset = Donor.objects.all()
    serializer_class = DonorSerializer
    filterset_class = DonorFilterSet
    permission_classes = ACCESS


class PledgeViewSet(VisibleModelViewSet):
    queryset = Pledge.objects.prefetch_related("instalments")
    serializer_class = PledgeSerializer
    filterset_class = PledgeFilterSet
    permission_classes = ACCESS

    @extend_schema(request=CloseSerializer, responses=PledgeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Cancel or write off the pledge with a reason; 409 if it is closed or fully paid."""
        pledge = self.get_object()
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            pledge.close(serializer.validated_data["closure"], serializer.validated_data["reason"])
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise serializers.ValidationError(exc.message_dict) from exc
            raise Conflict(" ".join(exc.messages)) from exc
        return Response(PledgeSerializer(pledge, context=self.get_serializer_context()).data)


class PaymentViewSet(
    VisibleViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Payments are recorded and read; a recorded payment is never edited or deleted."""

    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    permission_classes = ACCESS


class FundingSummaryView(APIView):
    """GET ?year=YYYY: requirement, committed, received, gap and coverage, by donor and earmark (USD)."""

    permission_classes = [permissions.IsAuthenticated, DonorsAccess]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="Budget year, e.g. 2026")],
        responses=FundingSummarySerializer,
    )
    def get(self, request):
        # The same form as the dashboard page: one rule for what a year may be.
        form = YearForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        year = form.cleaned_data["year"] or timezone.localdate().year
        return Response(_jsonable(funding_summary(request.user, year)))


def _jsonable(value):
    """Decimals as strings (exact), like DRF's decimal fields."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value
