from core.api import CodeCursorPagination, IdCursorPagination, VisibleModelViewSet
from members.filters import AgencyFilterSet, NoticeFilterSet, StateFilterSet
from members.models import Agency, Notice, State

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


class NoticeViewSet(VisibleModelViewSet):
    queryset = Notice.objects.select_related("originating_state", "author")
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
