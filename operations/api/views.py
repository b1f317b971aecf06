"""API of joint operations: CRUD within permissions, transitions and consent."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import Conflict, VisibleModelViewSet

from ..filters import JointOperationFilterSet
from ..models import NEGOTIATION_STATUSES, JointOperation, Participation
from ..services import create_operation, update_operation
from ..workflow import (
    InvalidTransitionInput,
    TransitionError,
    TransitionForbidden,
    decide_consent,
    fire,
)
from .serializers import (
    ConsentRequestSerializer,
    JointOperationSerializer,
    OperationDetailSerializer,
    TransitionRequestSerializer,
)

WRITE_FIELDS = JointOperationSerializer.Meta.fields


def _raise_api_error(exc: TransitionError):
    """Map a workflow refusal to its HTTP answer: 403, 400 or 409."""
    if isinstance(exc, TransitionForbidden):
        raise exceptions.PermissionDenied(exc.message)
    if isinstance(exc, InvalidTransitionInput):
        raise exceptions.ValidationError({exc.field_name: [exc.message]})
    raise Conflict(exc.message)


class JointOperationViewSet(VisibleModelViewSet):
    """Joint operations the caller may see. No delete: operations are cancelled or closed."""

    queryset = JointOperation.objects.select_related("lead_state", "created_by").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("state", "liaison_officer", "consent_by"),
        )
    )
    serializer_class = JointOperationSerializer
    filterset_class = JointOperationFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.with_detail()
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OperationDetailSerializer
        if self.action == "transitions":
            return TransitionRequestSerializer
        if self.action == "consent":
            return ConsentRequestSerializer
        return JointOperationSerializer

    def get_permissions(self):
        if self.action in ("transitions", "consent"):
            # The workflow table decides who may act; visibility still gives 404.
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def _fields(self, serializer) -> dict:
        data = serializer.validated_data
        return {k: v for k, v in data.items() if k in WRITE_FIELDS and k != "participations"}

    def perform_create(self, serializer):
        user = self.request.user
        try:
            op = create_operation(user, self._fields(serializer), serializer.participant_roles(user.state_id) or {})
        except TransitionError as exc:
            _raise_api_error(exc)
        serializer.instance = op

    def perform_update(self, serializer):
        op = serializer.instance
        try:
            updated = update_operation(
                op, self.request.user, self._fields(serializer), serializer.participant_roles(op.lead_state_id)
            )
        except TransitionForbidden as exc:
            # The caller may see it; editing it is another matter (e.g. not the lead state).
            if op.status in NEGOTIATION_STATUSES:
                raise exceptions.PermissionDenied(exc.message) from exc
            raise Conflict(exc.message) from exc
        except TransitionError as exc:
            _raise_api_error(exc)
        serializer.instance = self.get_queryset().get(pk=updated.pk)

    @extend_schema(request=TransitionRequestSerializer, responses=OperationDetailSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Fire one transition: 409 if illegal now or the status changed since `expected_status`."""
        op = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        if not body.is_valid():
            if "transition" in body.errors and request.data.get("transition"):
                raise Conflict(_("Unknown transition: %(name)s.") % {"name": request.data.get("transition")})
            raise exceptions.ValidationError(body.errors)
        try:
            fire(
                op,
                body.validated_data["transition"],
                request.user,
                body.validated_data["comment"],
                body.validated_data["expected_status"] or None,
            )
        except TransitionError as exc:
            _raise_api_error(exc)
        return self._detail(op.pk)

    @extend_schema(request=ConsentRequestSerializer, responses=OperationDetailSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """The caller's state grants, refuses or withdraws consent to the current version."""
        op = self.get_object()
        body = ConsentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            decide_consent(
                op,
                request.user,
                data["decision"],
                data["conditions"],
                national_case_reference=data.get("national_case_reference"),
                expected_version=data.get("version"),
            )
        except TransitionError as exc:
            _raise_api_error(exc)
        return self._detail(op.pk)

    def _detail(self, pk) -> Response:
        self.action = "retrieve"
        op = self.get_queryset().get(pk=pk)
        return Response(
            OperationDetailSerializer(op, context=self.get_serializer_context()).data, status=status.HTTP_200_OK
        )
