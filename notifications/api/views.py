"""/api/v1/notifications/: the signed-in user's own notifications (list, read, mark read)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import CreatedCursorPagination, VisibleReadOnlyViewSet
from core.serializer_fields import StrictCharField

from .. import services
from ..models import Notification
from .serializers import NotificationSerializer

MarkedSerializer = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationViewSet(VisibleReadOnlyViewSet):
    """Notifications of the signed-in user whose subject they may still see; `?unread=true` for unread only."""

    queryset = Notification.objects.select_related("subject_type")
    serializer_class = NotificationSerializer
    pagination_class = CreatedCursorPagination
    # Only the user's own rows are reachable (readable_by); marking read needs no model permission.
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("unread") in ("1", "true", "True"):
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark this notification read."""
        notification = self.get_object()
        return Response({"marked": services.mark_read(request.user, [notification.pk])})

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every notification of the user read."""
        return Response({"marked": services.mark_read(request.user)}, status=status.HTTP_200_OK)

    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField(), "label": StrictCharField()})
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        """The bell: unread notifications, counted up to 100."""
        n = services.unread_count(request.user)
        return Response({"unread": n, "label": services.bell_label(n)})
