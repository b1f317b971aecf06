"""API serializers of joint operations."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api_schema import DirectionalChoiceField
from core.serializer_fields import StrictCharField
from members.models import State

from ..choices import Consent, ParticipantRole
from ..models import (
    ConsentLog,
    ControlledDelivery,
    JointOperation,
    OperationResult,
    Participation,
    ResultSeizure,
    RouteLeg,
    TransitionLog,
)
from ..workflow import CONSENT_DECISIONS, USER_TRANSITIONS


class ParticipationSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", queryset=State.objects.exclude(status=State.Status.FORMER))
    # Written: participant, transit or observer; read: those and the lead state's own row.
    role = DirectionalChoiceField(
        choices=[c for c in ParticipantRole.choices if c[0] != ParticipantRole.LEAD],
        output_choices=ParticipantRole.choices,
    )
    liaison_officer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    consent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Participation
        fields = [
            "state",
            "role",
            "national_case_reference",
            "liaison_officer",
            "consent",
            "consent_by",
            "consent_at",
            "consent_conditions",
            "consent_version",
        ]
        read_only_fields = [
            "national_case_reference",
            "consent",
            "consent_by",
            "consent_at",
            "consent_conditions",
            "consent_version",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["role"] = instance.role  # the lead row is shown as it is
        return data


class TransitionLogSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TransitionLog
        fields = ["transition", "from_status", "to_status", "by", "at", "comment"]


class ConsentLogSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ConsentLog
        fields = ["state", "decision", "version", "by", "at", "conditions"]


class RouteLegSerializer(serializers.ModelSerializer):
    from_state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_state = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RouteLeg
        fields = ["order", "from_state", "to_state", "handover_point", "planned_time", "actual_time"]


class ControlledDeliverySerializer(serializers.ModelSerializer):
    legs = RouteLegSerializer(many=True, read_only=True)
    trackers = serializers.ListField(child=StrictCharField(), read_only=True)

    class Meta:
        model = ControlledDelivery
        fields = ["consignment_description", "substitution", "trackers", "legs"]


class OperationResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperationResult
        fields = ["arrests", "groups_dismantled", "cash_seized", "cash_currency", "firearms_seized", "vehicles_seized"]


class ResultSeizureSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ResultSeizure
        fields = ["id", "state", "seized_on", "substance", "quantity", "unit", "kg_equivalent", "description"]


class JointOperationSerializer(serializers.ModelSerializer):
    """An operation; `participants` (state code and role) are written with it, the lead is the author's state."""

    url = serializers.HyperlinkedIdentityField(view_name="api:jointoperation-detail")
    lead_state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    participants = ParticipationSerializer(many=True, source="participations", required=False)

    class Meta:
        model = JointOperation
        fields = [
            "id",
            "url",
            "reference",
            "code_name",
            "operation_type",
            "objective",
            "lead_state",
            "classification",
            "tlp",
            "area_description",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
            "version",
            "participants",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reference", "status", "version", "actual_start", "actual_end", "created_at", "updated_at"]

    def validate(self, attrs):
        start = attrs.get("planned_start", getattr(self.instance, "planned_start", None))
        end = attrs.get("planned_end", getattr(self.instance, "planned_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"planned_end": _("The end cannot come before the start.")})
        participants = attrs.get("participations")
        if participants is not None:
            codes = [p["state"].code for p in participants]
            if len(codes) != len(set(codes)):
                raise serializers.ValidationError({"participants": _("A state is listed twice.")})
        return attrs

    def participant_roles(self, lead_state_id: int) -> dict[int, str] | None:
        rows = self.validated_data.get("participations")
        if rows is None:
            return None
        return {p["state"].pk: p["role"] for p in rows if p["state"].pk != lead_state_id}


class OperationDetailSerializer(JointOperationSerializer):
    """The detail adds the timeline, the controlled delivery and the results."""

    transitions = TransitionLogSerializer(many=True, read_only=True)
    consent_events = ConsentLogSerializer(many=True, read_only=True)
    # Null for an operation that is not a controlled delivery (the schema says so).
    controlled_delivery = ControlledDeliverySerializer(read_only=True, allow_null=True)
    result = OperationResultSerializer(read_only=True, allow_null=True)  # null until results are entered
    seizures = ResultSeizureSerializer(many=True, read_only=True)

    class Meta(JointOperationSerializer.Meta):
        fields = [
            *JointOperationSerializer.Meta.fields,
            "transitions",
            "consent_events",
            "controlled_delivery",
            "result",
            "seizures",
        ]


class TransitionRequestSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=USER_TRANSITIONS)
    comment = StrictCharField(required=False, allow_blank=True, default="")
    expected_status = StrictCharField(required=False, allow_blank=True, default="")


class ConsentRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in Consent.choices if c[0] in CONSENT_DECISIONS])
    conditions = StrictCharField(required=False, allow_blank=True, default="")
    national_case_reference = StrictCharField(required=False, allow_blank=True, max_length=100)
    version = serializers.IntegerField(required=False, min_value=1)
