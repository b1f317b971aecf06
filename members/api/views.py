from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from core.api import CodeCursorPagination, IdCursorPagination, ModelPermissions, VisibleModelViewSet
from members.filters import AgencyFilterSet, NoticeFilterSet, StateFilterSet
from members.models import Agency, Notice, State
from members.roles import is_centre_staff, is_state_officer

from .serializers import AgencySerializer, NoticeSerializer, StateSerializer


class StateViewSet(VisibleModelViewSet):
    queryset = State.objects.all()
    serializer_class = StateSerializer
    filterset_class = StateFilterSet
    pagination_class = CodeCursorPagination


class AgencyViewSet(VisibleModelViewSet):
    queryset = Agency.objects.select_related("state")
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    pagination_class = IdCursorPagination


class NoticeWritePermissions(ModelPermissions):
    """Officer-only writes (issue 10), as in operations: a notice is changed by a liaison
    officer of its originating state, or by the centre's staff for the centre's own
    notices. A partner-system account reads its state's notices and writes none, even
    though its state's group holds the change grant."""

    message = _(
        "Officer rule: only a liaison officer of the notice's originating state (or the centre, "
        "for its own notices) may change it; a partner-system account may only read notices."
    )

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not super().has_object_permission(request, view, obj):
            return False
        if obj.originating_state_id is None:
            return is_centre_staff(request.user)
        return is_state_officer(request.user, obj.originating_state_id)


class NoticeViewSet(VisibleModelViewSet):
    queryset = Notice.objects.select_related("originating_state", "author")
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
    permission_classes = [permissions.IsAuthenticated, NoticeWritePermissions]
