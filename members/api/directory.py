"""What a state's page shows, in the API (issue 16): its status history and its liaison officers.

Visible exactly when the state is (State.objects.visible_to, the directory's read path).
"""

from __future__ import annotations

from rest_framework import serializers, viewsets

from core.pagination import IdCursorPagination
from core.serializer_fields import StrictCharField
from members.models import State, StateStatusChange, User
from members.roles import Role


class StateStatusChangeSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = StateStatusChange
        fields = ["id", "state", "old_status", "new_status", "changed_at", "note"]


class LiaisonOfficerSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    full_name = StrictCharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "state", "agency", "position"]
        read_only_fields = fields


class _OfVisibleStates(viewsets.ReadOnlyModelViewSet):
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return super().get_queryset().filter(state__in=State.objects.visible_to(self.request.user))


class StateStatusChangeViewSet(_OfVisibleStates):
    """Status changes of the states you see (?state=<code>)."""

    queryset = StateStatusChange.objects.select_related("state")
    serializer_class = StateStatusChangeSerializer
    filterset_fields = {"state__code": ["exact"]}


class LiaisonOfficerViewSet(_OfVisibleStates):
    """The liaison-officer directory: officers of the states you see (?state__code=<code>)."""

    queryset = User.objects.with_role(Role.LIAISON_OFFICER).filter(is_active=True).select_related("state")
    serializer_class = LiaisonOfficerSerializer
    filterset_fields = {"state__code": ["exact"]}
