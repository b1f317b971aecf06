"""STIX 2.1 endpoints: a record or a filtered list as a bundle, and bundle import (issue 16).

Export reads through the same viewset as /api/v1/intel/records/ (visible_to, the same
filters, the access log); import validates each report with the same serializers as
the seizure and record APIs, under the same Idempotency-Key rule.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import IdempotentRequest
from core.permissions import assert_in_scope
from intel import stix
from intel.models import AccessLog, IntelRecord

from .serializers import RecordCreateSerializer, RecordDetailSerializer, SeizureCreateSerializer
from .views import IntelRecordViewSet

STIX_MAX_RECORDS = 500


def _bundle_response(bundle) -> Response:
    return Response(json.loads(bundle.serialize()))


class RecordStixViewSet(IntelRecordViewSet):
    """The records API, answering STIX 2.1 bundles (the same visibility, filters and logging)."""

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.select_related("originating_state", "seizure").prefetch_related("identifiers", "seizure__items")

    def filter_queryset(self, queryset):
        # Full instances (not the list's value rows): every column goes into the bundle.
        for backend in self.filter_backends:
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    @extend_schema(
        operation_id="intel_records_stix_retrieve",
        responses={200: OpenApiTypes.OBJECT},
        description="The record as a STIX 2.1 bundle (a report, its markings and observables).",
    )
    def stix_detail(self, request, pk=None):
        record = self.get_object()
        AccessLog.record_access(request, record, AccessLog.Action.API_VIEW, detail="stix")
        return _bundle_response(stix.bundle([record]))

    @extend_schema(
        operation_id="intel_records_stix_list",
        parameters=[OpenApiParameter("limit", int, description="At most this many records (1-500, default 100).")],
        responses={200: OpenApiTypes.OBJECT},
        description="The filtered records (newest first) as one STIX 2.1 bundle.",
    )
    def stix_list(self, request):
        raw = request.query_params.get("limit", "100")
        try:
            limit = int(raw)
        except ValueError:
            limit = 0
        if not 1 <= limit <= STIX_MAX_RECORDS:
            raise exceptions.ValidationError({"limit": [_("Enter an integer from 1 to 500.")]})
        records = list(self.filter_queryset(self.get_queryset()).order_by("-created_at", "-id")[:limit])
        for record in records:
            AccessLog.record_access(request, record, AccessLog.Action.API_VIEW, detail="stix")
        return _bundle_response(stix.bundle(records))


class StixImportView(APIView):
    """Import a STIX 2.1 bundle: each report becomes a record of your state (not shared).

    Reports made by the portal's export keep kind, markings, identifiers and seizure
    data (extension `intel.stix.CARICC_EXTENSION`); other reports need those markings
    to be valid. All or nothing; `Idempotency-Key` as for seizures.
    """

    permission_classes = [permissions.IsAuthenticated]
    partner_write_scope = "seizures"  # members.scopes

    @extend_schema(
        operation_id="intel_stix_import",
        request=OpenApiTypes.OBJECT,
        responses={201: RecordDetailSerializer(many=True)},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request):
        if not request.user.has_perm("intel.add_intelrecord"):
            raise exceptions.PermissionDenied()
        idempotent = IdempotentRequest(request, endpoint="stix")
        if (previous := idempotent.replay()) is not None:
            return previous
        try:
            reports = stix.parse_bundle(request.data)
        except stix.ImportError_ as exc:
            raise exceptions.ValidationError({"bundle": [str(exc)]}) from exc
        if len(reports) > STIX_MAX_RECORDS:
            raise exceptions.ValidationError({"bundle": [_("At most 500 reports per bundle.")]})
        context = {"request": request}
        serializers = []
        errors = []
        for data in reports:
            cls = SeizureCreateSerializer if data.get("kind") == "seizure" else RecordCreateSerializer
            if cls is SeizureCreateSerializer:
                data.pop("kind")
            serializer = cls(data=data, context=context)
            errors.append({} if serializer.is_valid() else serializer.errors)
            serializers.append(serializer)
        if any(errors):
            raise exceptions.ValidationError({"reports": errors})
        try:
            with transaction.atomic():
                records = [s.save() for s in serializers]
                assert_in_scope(request.user, *records)
                detail = IntelRecord.objects.filter(pk__in=[r.pk for r in records]).select_related(
                    "originating_state", "agency", "author", "seizure", "rfi"
                )
                out = RecordDetailSerializer(detail.order_by("id"), many=True, context=context).data
                data = json.loads(JSONRenderer().render(out))
                idempotent.remember(201, data)
        except IntegrityError:
            if (previous := idempotent.replay_after_race()) is not None:
                return previous
            raise
        return Response(data, status=status.HTTP_201_CREATED)
