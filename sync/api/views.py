"""/api/v1/changes/: the cursor feed of what changed in the caller's scope (issue 16)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Conflict
from core.pagination import CreatedCursorPagination
from members.roles import is_partner_system

from .. import webhooks
from ..feed import read_feed
from ..models import WebhookSubscription
from ..registry import KINDS
from .serializers import (
    ChangeFeedSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)

MAX_PAGE = 500


def _int_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationError({name: [_("Enter an integer from %(low)d to %(high)d.") % {"low": low, "high": high}]})
    return value


class ChangeFeedView(APIView):
    """What changed in your scope since a cursor, oldest first.

    `upsert`: fetch the object again at `url`. `tombstone`: drop the object from your
    mirror (withdrawn from your state, or archived); it names only `kind` and
    `object_id`. A page may hold fewer items than `page_size` (events about objects
    you do not see are skipped): follow `next` until it is null, then poll again
    later with `?after=<cursor>`.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="changes_list",
        parameters=[
            OpenApiParameter(
                "after",
                int,
                description="The cursor: events after this id (0 from the start).",
            ),
            OpenApiParameter("page_size", int, description="Events read per page (1-500, default 100)."),
            OpenApiParameter("kind", str, enum=sorted(KINDS), many=True, explode=True, description="Only these kinds."),
        ],
        responses=ChangeFeedSerializer,
    )
    def get(self, request):
        after = _int_param(request, "after", 0, 0, 2**63 - 1)
        limit = _int_param(request, "page_size", 100, 1, MAX_PAGE)
        kinds = request.query_params.getlist("kind")
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValidationError({"kind": [_("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}]})
        page = read_feed(request.user, after=after, limit=limit, kinds=kinds, url_for=request.build_absolute_uri)
        next_url = None
        if page.more:
            query = [("after", page.cursor), ("page_size", limit), *[("kind", k) for k in kinds]]
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        data = {"results": page.items, "next": next_url, "cursor": page.cursor}
        return Response(ChangeFeedSerializer(data).data)


class IsPartnerSystem(permissions.IsAuthenticated):
    """Webhooks belong to partner-system accounts (a person has the UI's notifications)."""

    message = _("Webhooks are for partner-system accounts.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and is_partner_system(request.user)


class WebhookViewSet(viewsets.ModelViewSet):
    """Your account's webhook subscriptions. The signing secret is in the creation answer only."""

    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsPartnerSystem]
    partner_scope = "webhooks"  # members.scopes: every call needs the webhooks scope
    pagination_class = CreatedCursorPagination
    queryset = WebhookSubscription.objects.all()

    def get_queryset(self):
        # Another account's subscription is not found (404), like anything out of scope.
        return WebhookSubscription.objects.filter(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "deliveries":
            return WebhookDeliverySerializer
        if self.action == "replay":
            return WebhookDeliverySerializer
        return WebhookSubscriptionSerializer

    @extend_schema(responses={201: WebhookSubscriptionCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = WebhookSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sub = serializer.save(user=request.user, secret=webhooks.new_secret())
        return Response(
            WebhookSubscriptionCreatedSerializer(sub, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_update(self, serializer):
        # Enabling a disabled subscription again starts its failure count afresh.
        if serializer.validated_data.get("is_active") and not serializer.instance.is_active:
            serializer.save(consecutive_failures=0, disabled_at=None)
        else:
            serializer.save()

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The delivery log of this subscription, newest first."""
        sub = self.get_object()
        page = self.paginate_queryset(sub.deliveries.select_related("event"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)],
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>\d+)/replay")
    def replay(self, request, pk=None, delivery_id=None):
        """Send a logged delivery again (a new delivery; visibility is checked again when it is sent)."""
        sub = self.get_object()
        delivery = sub.deliveries.filter(pk=delivery_id).select_related("event", "subscription").first()
        if delivery is None:
            raise Http404
        if not sub.is_active:
            raise Conflict(_("The subscription is disabled; enable it first."))
        copy = webhooks.replay(delivery)
        return Response(WebhookDeliverySerializer(copy).data, status=status.HTTP_202_ACCEPTED)
