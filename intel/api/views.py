"""The intel API: records, requests for information and seizure reports.

Every collection reads through `IntelRecord.objects.visible_to(user)`; a record
out of scope answers 404. Reading a record's detail or downloading an attachment
writes an access log entry.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core import uploads
from core.api import Conflict, VisibleViewSetMixin
from core.idempotency import IdempotentRequest
from core.pagination import AccessedAtCursorPagination, CreatedCursorPagination
from core.permissions import assert_in_scope
from intel import handling, services
from intel.filters import IntelRecordFilterSet
from intel.models import AccessLog, IntelRecord
from intel.vocabularies import RecordKind

from .serializers import (
    AccessLogSerializer,
    DisseminationDecisionSerializer,
    DisseminationRequestSerializer,
    RecordCreateSerializer,
    RecordDetailSerializer,
    RecordListSerializer,
    RecordUpdateSerializer,
    RemarkingDecisionSerializer,
    RemarkingRequestSerializer,
    RespondSerializer,
    RFICreateSerializer,
    RFIDetailSerializer,
    RFIListSerializer,
    SeizureCreateSerializer,
    ShareSerializer,
)


class IntelPermission(permissions.IsAuthenticated):
    """Creating needs `intel.add_intelrecord`. Every write on an existing record (update,
    share, re-mark, decide, respond...) is decided by the services through
    intel.handling, which refuse with a message naming the rule."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if getattr(view, "action", None) == "create":
            return request.user.has_perm("intel.add_intelrecord")
        return True


class _RecordBase(VisibleViewSetMixin, viewsets.GenericViewSet):
    permission_classes = [IntelPermission]
    pagination_class = CreatedCursorPagination
    filterset_class = IntelRecordFilterSet
    detail_select = ("originating_state", "agency", "author", "seizure", "rfi")
    detail_prefetch = ("identifiers", "attachments", "seizure__items", "rfi__questions")

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related(*self.detail_select).prefetch_related(*self.detail_prefetch)
        return qs

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list":
            # A list row is plain values: exactly the columns it shows (no body, no
            # tsvector) and no model instances to build, which on a 50-row page
            # cost about as much as the query itself (docs/performance.md).
            # The cursor paginator reads its position from dict rows as well.
            return queryset.values(*self.get_serializer_class().LIST_COLUMNS)
        return queryset

    def handle_exception(self, exc):
        # A marking rule broken by someone who may act is a bad request (400, naming the
        # rule, on the field when there is one); anyone else gets 403 with the rule.
        if isinstance(exc, handling.MarkingRuleError):
            exc = exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})
        elif isinstance(exc, handling.HandlingRuleError):
            exc = exceptions.PermissionDenied(exc.message)
        return super().handle_exception(exc)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        AccessLog.record_access(request, record, AccessLog.Action.API_VIEW, detail="api")
        # An officer reading through the API receives the record like one opening its page.
        from ..models import Receipt

        Receipt.record_opened(record, request.user)
        return Response(self.get_serializer(record).data)


class IntelRecordViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.UpdateModelMixin, _RecordBase):
    """Records of every kind visible to the user. Filters: q, kind, state, substance,
    created_after, created_before, tlp, status. No delete: records are archived."""

    queryset = IntelRecord.objects.select_related("originating_state")

    def get_serializer_class(self):
        if self.action == "create":
            return RecordCreateSerializer
        if self.action in ("update", "partial_update"):
            return RecordUpdateSerializer
        if self.action == "share":
            return ShareSerializer
        if self.action == "request_dissemination":
            return DisseminationRequestSerializer
        if self.action == "decide_dissemination":
            return DisseminationDecisionSerializer
        if self.action == "request_remarking":
            return RemarkingRequestSerializer
        if self.action == "decide_remarking":
            return RemarkingDecisionSerializer
        if self.action == "retrieve":
            return RecordDetailSerializer
        return RecordListSerializer

    @extend_schema(request=ShareSerializer, responses=RecordDetailSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Set exactly who receives the record (originating state or coordinator)."""
        record = self.get_object()
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_dissemination(
            user=request.user,
            record=record,
            states=data.validated_data.get("share_with", []),
            shortcut=data.validated_data.get("shortcut", ""),
        )
        return Response(RecordDetailSerializer(record, context=self.get_serializer_context()).data)

    @extend_schema(request=DisseminationRequestSerializer, responses={201: None})
    @action(detail=True, methods=["post"], url_path="request-dissemination")
    def request_dissemination(self, request, pk=None):
        """A recipient asks the originator to share the record with more states."""
        record = self.get_object()
        data = DisseminationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        req = services.request_dissemination(user=request.user, record=record, **data.validated_data)
        return Response({"id": req.pk, "status": req.status}, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisseminationDecisionSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="decide-dissemination")
    def decide_dissemination(self, request, pk=None):
        """The originator approves or declines a recipient's request."""
        return self._decide(
            request,
            DisseminationDecisionSerializer,
            lambda record: record.dissemination_requests,
            lambda req, data: services.decide_dissemination(user=request.user, request=req, approve=data["approve"]),
        )

    def _decide(self, request, serializer_class, requests_of, decide) -> Response:
        """An originator's decision on one of the record's requests: 404 for a request of
        another record, 409 when it was already decided, 204 when done."""
        record = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        req = requests_of(record).filter(pk=data.validated_data["request"]).first()
        if req is None:
            raise Http404
        try:
            decide(req, data.validated_data)
        except services.TransitionError as exc:
            raise Conflict(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RemarkingRequestSerializer, responses={201: RemarkingRequestSerializer})
    @action(detail=True, methods=["post"], url_path="request-remarking")
    def request_remarking(self, request, pk=None):
        """A recipient or the centre asks the originator to change the markings (with a reason)."""
        record = self.get_object()
        data = RemarkingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason")
        req = services.request_remarking(user=request.user, record=record, markings=values, reason=reason)
        return Response(RemarkingRequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RemarkingRequestSerializer(many=True))
    # A bare list (at most 200), as its schema says: no pagination on this action.
    @action(detail=True, methods=["get"], url_path="remarking-requests", pagination_class=None)
    def remarking_requests(self, request, pk=None):
        """Re-marking requests: all of them for the originator, one's own state's for others."""
        record = self.get_object()
        reqs = record.remarking_requests.select_related("requested_by", "requesting_state", "decided_by")
        if not handling.is_originator(request.user, record):
            if request.user.state_id:
                reqs = reqs.filter(requesting_state_id=request.user.state_id)
            else:
                reqs = reqs.filter(requested_by=request.user)
        return Response(RemarkingRequestSerializer(reqs[:200], many=True).data)

    @extend_schema(request=RemarkingDecisionSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="decide-remarking")
    def decide_remarking(self, request, pk=None):
        """The originator accepts (markings change, logged) or refuses a re-marking request."""
        return self._decide(
            request,
            RemarkingDecisionSerializer,
            lambda record: record.remarking_requests,
            lambda req, data: services.decide_remarking(user=request.user, request=req, accept=data["accept"]),
        )

    @extend_schema(responses=AccessLogSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="access-log", pagination_class=AccessedAtCursorPagination)
    def access_log(self, request, pk=None):
        """Who viewed this record (originating state and the centre's analysts)."""
        record = self.get_object()
        if not services.can_see_access_log(request.user, record):
            raise exceptions.PermissionDenied()
        page = self.paginate_queryset(record.access_log.select_related("user", "state"))
        return self.get_paginated_response(AccessLogSerializer(page, many=True).data)

    @extend_schema(responses=None)
    @action(detail=True, methods=["get"])
    def hits(self, request, pk=None):
        """Identifier matches: visible records by reference; hidden ones only as state and count."""
        record = self.get_object()
        out = []
        for hit in services.identifier_hits(request.user, record):
            ident = hit["identifier"]
            out.append(
                {
                    "identifier": {"id": ident.pk, "kind": ident.kind, "value": ident.value},
                    "stop_listed": hit["stopped"],
                    "visible": [
                        {"id": r["record_id"], "reference": r["record__reference"], "title": r["record__title"]}
                        for r in hit["visible"]
                    ],
                    "held_elsewhere": [{"state": h["state_code"], "count": h["count"]} for h in hit["hidden"]],
                }
            )
        return Response(out)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        # The stored type, detected from the content at upload (core.uploads.ALLOWED_TYPES).
        responses={(200, ct): OpenApiTypes.BINARY for ct in sorted(set(uploads.ALLOWED_TYPES.values()))},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download an attachment (logged)."""
        record = self.get_object()
        att = record.attachments.filter(pk=attachment_id).first()
        if att is None:
            raise Http404
        AccessLog.record_access(request, record, AccessLog.Action.DOWNLOAD, detail=att.filename)
        return uploads.serve_attachment(
            request,
            att.file,
            filename=att.filename,
            content_type=att.content_type,
            sha256=att.sha256,
            what=f"intel.attachment:{att.pk}",
        )

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={201: None},
    )
    @action(detail=True, methods=["post"], url_path="attachments", parser_classes=[MultiPartParser])
    def upload(self, request, pk=None):
        """Attach a file (originating state). Checked by content, size-limited, SHA-256 kept."""
        record = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["No file was submitted."]})
        att = services.add_attachment(user=request.user, record=record, upload=upload)
        return Response({"id": att.pk, "sha256": att.sha256, "size": att.size}, status=status.HTTP_201_CREATED)


class RFIViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, _RecordBase):
    """Requests for information visible to the user, with `respond`, `acknowledge`, `close`."""

    queryset = IntelRecord.objects.filter(kind=RecordKind.RFI).select_related("originating_state", "rfi")

    def get_serializer_class(self):
        if self.action == "create":
            return RFICreateSerializer
        if self.action == "respond":
            return RespondSerializer
        if self.action == "retrieve":
            return RFIDetailSerializer
        return RFIListSerializer

    def _transition(self, func, **kwargs):
        try:
            return func(**kwargs)
        except services.TransitionError as exc:
            raise Conflict(str(exc)) from exc

    @extend_schema(request=RespondSerializer, responses={201: RecordDetailSerializer})  # the response is created
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Answer the request: creates a response record shared with the requester."""
        record = self.get_object()
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        outcome = fields.pop("outcome")
        response = self._transition(
            services.respond, user=request.user, rfi_record=record, fields=fields, outcome=outcome
        )
        return Response(
            RecordDetailSerializer(response, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        self._transition(services.acknowledge, user=request.user, rfi_record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        self._transition(services.close, user=request.user, rfi_record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SeizureViewSet(mixins.ListModelMixin, _RecordBase):
    """Seizure reports. POST takes one report or a list, all or nothing, and honours
    an `Idempotency-Key` header: the same key again returns the first answer."""

    queryset = IntelRecord.objects.filter(kind=RecordKind.SEIZURE).select_related("originating_state")
    partner_write_scope = "seizures"  # a partner token needs the seizures scope to post (members.scopes)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RecordDetailSerializer
        return SeizureCreateSerializer if self.action == "create" else RecordListSerializer

    @extend_schema(
        request=SeizureCreateSerializer,
        responses={201: RecordDetailSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def create(self, request, *args, **kwargs):
        idempotent = IdempotentRequest(request, endpoint="seizures")
        if (previous := idempotent.replay()) is not None:
            return previous
        many = isinstance(request.data, list)
        limit = settings.SEIZURE_BATCH_MAX
        if many and len(request.data) > limit:
            # Checked before any parsing: one request never holds the database for minutes.
            raise BatchTooLarge(
                _("At most %(limit)d seizure reports per request; this one has %(count)d. Split the batch.")
                % {"limit": limit, "count": len(request.data)}
            )
        serializer = SeizureCreateSerializer(data=request.data, many=many, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                serializer.save()
                records = serializer.instance if many else [serializer.instance]
                # The base viewset's after-write scope check, one query for the batch.
                assert_in_scope(request.user, *records)
                # A plain JSON copy: what the client got is what a replay gets.
                data = json.loads(JSONRenderer().render(serializer.data))
                idempotent.remember(status.HTTP_201_CREATED, data)
        except IntegrityError:
            # Another request with the same key won the race: answer what it answered.
            previous = idempotent.replay_after_race()
            if previous is None:
                raise
            return previous
        return Response(data, status=status.HTTP_201_CREATED)


class BatchTooLarge(exceptions.APIException):
    """413: more seizure reports in one request than SEIZURE_BATCH_MAX."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "batch_too_large"
