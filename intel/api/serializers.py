"""API representations of records, seizures and requests for information."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.serializer_fields import ListRelatedField, StrictCharField
from intel import services
from intel.models import (
    AccessLog,
    Attachment,
    Identifier,
    IntelRecord,
    MarkingChange,
    RemarkingRequest,
    RequestForInformation,
    SeizureItem,
    SeizureReport,
)
from intel.vocabularies import TLP, Classification, HandlingCode, RecordKind, RFIStatus, Urgency, handling_notice
from members.models import Agency, State

MARKING_FIELDS = [
    "tlp",
    "handling_code",
    "handling_note",
    "classification",
    "source_reliability",
    "information_credibility",
]
TEXT_FIELDS = ["title", "summary", "body", "review_date"]


def _iso(value, tz=None) -> str | None:
    """What DRF's DateTimeField gives (local time, ISO 8601, "Z" for UTC), without its per-call setup.

    `tz`: the current time zone, looked up once per page by the caller (each lookup
    reads a context-local, twice per row otherwise).
    """
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class RecordListSerializer(serializers.ModelSerializer):
    """One row of a list: constant queries (originating state is select_related).

    `to_representation` builds the row directly: DRF's per-field machinery and a
    `reverse()` per row cost more than the database on a 50-row page (measured
    in docs/performance.md). The declared fields still describe the schema.
    """

    url = serializers.HyperlinkedIdentityField(view_name="api:intelrecord-detail")
    originating_state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    evaluation = StrictCharField(source="evaluation_code", read_only=True)
    handling_notice = StrictCharField(
        read_only=True, help_text=_("The handling code's caveat (H1: not for use as evidence without permission).")
    )
    detail_view_name = "api:intelrecord-detail"
    fast_rows = True

    class Meta:
        model = IntelRecord
        fields = [
            "id",
            "url",
            "reference",
            "kind",
            "title",
            "summary",
            "originating_state",
            "created_at",
            "updated_at",
            "status",
            *MARKING_FIELDS,
            "evaluation",
            "handling_notice",
        ]
        read_only_fields = ["reference", "originating_state", "created_at", "updated_at"]

    def _url_template(self) -> str:
        cache = self.context.setdefault("_url_templates", {})
        name = self.detail_view_name
        if name not in cache:
            request = self.context.get("request")
            path = reverse(name, args=[0])
            absolute = request.build_absolute_uri(path) if request else path
            cache[name] = "{}".join(absolute.rsplit("/0/", 1)).replace("{}", "/{}/")
        return cache[name]

    # The columns a list row needs: list views fetch exactly these with .values().
    LIST_COLUMNS = (
        "id",
        "reference",
        "kind",
        "title",
        "summary",
        "originating_state__code",
        "created_at",
        "updated_at",
        "status",
        *MARKING_FIELDS,
    )

    def to_representation(self, obj):
        if not self.fast_rows:
            return super().to_representation(obj)
        row = obj if isinstance(obj, dict) else self.as_row(obj)
        pk = row["id"]
        tz = self.context.get("_tz") or self.context.setdefault("_tz", timezone.get_current_timezone())
        return {
            "id": pk,
            "url": self._url_template().replace("{}", str(pk)),
            "reference": row["reference"],
            "kind": row["kind"],
            "title": row["title"],
            "summary": row["summary"],
            "originating_state": row["originating_state__code"],
            "created_at": _iso(row["created_at"], tz),
            "updated_at": _iso(row["updated_at"], tz),
            "status": row["status"],
            "tlp": row["tlp"],
            "handling_code": row["handling_code"],
            "handling_note": row["handling_note"],
            "classification": row["classification"],
            "source_reliability": row["source_reliability"],
            "information_credibility": row["information_credibility"],
            "evaluation": f"{row['source_reliability']}{row['information_credibility']}",
            "handling_notice": handling_notice(row["handling_code"], row["handling_note"]),
        }

    def as_row(self, obj) -> dict:
        """A model instance as the dict a `.values(*LIST_COLUMNS)` row would be."""
        row = {name: getattr(obj, name) for name in self.LIST_COLUMNS if "__" not in name}
        # None for the centre's own products (no originating state).
        row["originating_state__code"] = obj.originating_state.code if obj.originating_state_id else None
        return row


class IdentifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Identifier
        fields = ["id", "kind", "value", "date_of_birth", "normalised"]
        read_only_fields = ["id", "normalised"]


class SeizureItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SeizureItem
        fields = ["substance", "form", "quantity", "unit", "purity", "kg_equivalent"]
        read_only_fields = ["kg_equivalent"]


class SeizureDetailsSerializer(serializers.ModelSerializer):
    items = SeizureItemSerializer(many=True, read_only=True)

    class Meta:
        model = SeizureReport
        fields = [
            "occurred_at",
            "country",
            "place",
            "place_type",
            "latitude",
            "longitude",
            "route_origin",
            "route_departure",
            "route_transit",
            "route_destination",
            "transport_mode",
            "conveyance",
            "concealment_method",
            "concealment_details",
            "persons_arrested",
            "items",
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        request = self.context.get("request")
        path = f"/api/v1/intel/records/{obj.record_id}/attachments/{obj.pk}/"
        return request.build_absolute_uri(path) if request else path


class RecordDetailSerializer(RecordListSerializer):
    """A record with everything the user may see on it."""

    fast_rows = False

    agency = serializers.PrimaryKeyRelatedField(read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    shared_with = serializers.SerializerMethodField()
    identifiers = IdentifierSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    seizure = serializers.SerializerMethodField()
    rfi = serializers.SerializerMethodField()
    in_reply_to = serializers.SerializerMethodField(
        help_text=_("The record this one answers, or null when there is none or you may not see it.")
    )
    marking_changes = serializers.SerializerMethodField()

    class Meta(RecordListSerializer.Meta):
        fields = [
            *RecordListSerializer.Meta.fields,
            "body",
            "review_date",
            "agency",
            "author",
            "shared_with",
            "identifiers",
            "attachments",
            "seizure",
            "rfi",
            "in_reply_to",
            "marking_changes",
        ]

    def get_in_reply_to(self, obj) -> int | None:
        # A record the viewer may not see is neither named nor counted (issue 10).
        if obj.in_reply_to_id is None:
            return None
        visible = IntelRecord.objects.visible_to(self.context["request"].user)
        return obj.in_reply_to_id if visible.filter(pk=obj.in_reply_to_id).exists() else None

    def get_marking_changes(self, obj) -> list[dict]:
        return MarkingChangeSerializer(obj.marking_changes.select_related("changed_by")[:20], many=True).data

    def get_shared_with(self, obj) -> list[str]:
        return list(obj.shared_states().values_list("code", flat=True))

    def get_seizure(self, obj) -> dict | None:
        report = getattr(obj, "seizure", None) if obj.kind == RecordKind.SEIZURE else None
        return SeizureDetailsSerializer(report).data if report else None

    def get_rfi(self, obj) -> dict | None:
        rfi = getattr(obj, "rfi", None) if obj.kind == RecordKind.RFI else None
        if rfi is None:
            return None
        return {
            "addressees": list(rfi.addressees.values_list("code", flat=True)),
            "purpose": rfi.purpose,
            "legal_basis": rfi.legal_basis,
            "urgency": rfi.urgency,
            "deadline": rfi.deadline,
            "status": rfi.status,
            "overdue": rfi.is_overdue,
            "questions": [q.text for q in rfi.questions.all()],
            # The record asked about, only for a reader who may see it (else null).
            "about": rfi.about_id
            if rfi.about_id
            and IntelRecord.objects.visible_to(self.context["request"].user).filter(pk=rfi.about_id).exists()
            else None,
            "responses": list(
                IntelRecord.objects.visible_to(self.context["request"].user)
                .filter(in_reply_to=obj)
                .values_list("id", flat=True)
            ),
        }


def share_with_field() -> ListRelatedField:
    """The recipient states of a record, by ISO code (new records and re-sharing); a JSON list only."""
    return ListRelatedField(
        child_relation=serializers.SlugRelatedField(slug_field="code", queryset=State.objects.all()), required=False
    )


def shortcut_field() -> serializers.ChoiceField:
    """A dissemination shortcut (services.shortcut_choices), resolved when the record is shared."""
    return serializers.ChoiceField(
        choices=[code for code, _label in services.shortcut_choices()], required=False, default="", allow_blank=True
    )


class _RecordInput(serializers.ModelSerializer):
    """The text and markings of a new record, plus dissemination and identifiers."""

    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False, allow_null=True)
    share_with = share_with_field()
    shortcut = shortcut_field()
    identifiers = IdentifierSerializer(many=True, required=False)

    class Meta:
        model = IntelRecord
        fields = [*TEXT_FIELDS, "agency", *MARKING_FIELDS, "share_with", "shortcut", "identifiers"]

    def validate(self, attrs):
        if attrs.get("handling_code") == "H3" and not (attrs.get("handling_note") or "").strip():
            raise serializers.ValidationError({"handling_note": _("Handling code H3 requires a description.")})
        return attrs

    def record_fields(self, data: dict) -> dict:
        return {k: data[k] for k in [*TEXT_FIELDS, "agency", *MARKING_FIELDS] if k in data}

    def to_representation(self, instance):
        return RecordDetailSerializer(instance, context=self.context).data


class RecordCreateSerializer(_RecordInput):
    kind = serializers.ChoiceField(
        choices=[(k, RecordKind(k).label) for k in (RecordKind.ANALYSIS, RecordKind.ALERT, RecordKind.GENERAL)],
        help_text=_("Seizure reports and requests for information have their own collections."),
    )

    class Meta(_RecordInput.Meta):
        fields = ["kind", *_RecordInput.Meta.fields]

    def create(self, validated_data):
        return services.create_record(
            user=self.context["request"].user,
            fields={"kind": validated_data["kind"], **self.record_fields(validated_data)},
            recipients=validated_data.get("share_with", []),
            shortcut=validated_data.get("shortcut", ""),
            identifiers=validated_data.get("identifiers", []),
        )


class RecordUpdateSerializer(serializers.ModelSerializer):
    """What the originator may change in place: text, markings, review date, status.
    Saved through services.edit_record: the handling rules decide (intel.handling)."""

    reason = StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=_("Required when a marking becomes less restrictive; every recipient state is told."),
    )

    class Meta:
        model = IntelRecord
        fields = [*TEXT_FIELDS, *MARKING_FIELDS, "status", "reason"]

    def validate(self, attrs):
        code = attrs.get("handling_code", getattr(self.instance, "handling_code", ""))
        note = attrs.get("handling_note", getattr(self.instance, "handling_note", ""))
        if code == "H3" and not (note or "").strip():
            raise serializers.ValidationError({"handling_note": _("Handling code H3 requires a description.")})
        return attrs

    def update(self, instance, validated_data):
        reason = validated_data.pop("reason", "")
        return services.edit_record(
            user=self.context["request"].user, record=instance, fields=validated_data, reason=reason
        )

    def to_representation(self, instance):
        return RecordDetailSerializer(instance, context=self.context).data


class SeizureInputDetails(serializers.ModelSerializer):
    class Meta:
        model = SeizureReport
        exclude = ["id", "record"]


class SeizureItemInput(serializers.ModelSerializer):
    class Meta:
        model = SeizureItem
        fields = ["substance", "form", "quantity", "unit", "purity"]


class SeizureCreateSerializer(_RecordInput):
    seizure = SeizureInputDetails()
    items = SeizureItemInput(many=True, allow_empty=False)

    class Meta(_RecordInput.Meta):
        fields = [*_RecordInput.Meta.fields, "seizure", "items"]

    def create(self, validated_data):
        return services.create_seizure(
            user=self.context["request"].user,
            fields=self.record_fields(validated_data),
            seizure=validated_data["seizure"],
            items=validated_data["items"],
            recipients=validated_data.get("share_with", []),
            shortcut=validated_data.get("shortcut", ""),
            identifiers=validated_data.get("identifiers", []),
        )


class RFIListSerializer(RecordListSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:rfi-detail")
    detail_view_name = "api:rfi-detail"
    urgency = StrictCharField(source="rfi.urgency", read_only=True)
    deadline = serializers.DateTimeField(source="rfi.deadline", read_only=True)
    rfi_status = StrictCharField(source="rfi.status", read_only=True)
    overdue = serializers.BooleanField(source="rfi.is_overdue", read_only=True)

    class Meta(RecordListSerializer.Meta):
        fields = [*RecordListSerializer.Meta.fields, "urgency", "deadline", "rfi_status", "overdue"]

    LIST_COLUMNS = (*RecordListSerializer.LIST_COLUMNS, "rfi__urgency", "rfi__deadline", "rfi__status")

    def to_representation(self, obj):
        row = super().to_representation(obj)
        if isinstance(obj, dict):
            urgency, deadline, status = obj["rfi__urgency"], obj["rfi__deadline"], obj["rfi__status"]
        else:
            urgency, deadline, status = obj.rfi.urgency, obj.rfi.deadline, obj.rfi.status
        row.update(
            urgency=urgency,
            deadline=_iso(deadline),
            rfi_status=status,
            overdue=RequestForInformation(status=status, deadline=deadline).is_overdue,
        )
        return row


class RFIDetailSerializer(RecordDetailSerializer):
    """A request for information with its urgency, deadline and status at the top level, as in its list row."""

    url = serializers.HyperlinkedIdentityField(view_name="api:rfi-detail")
    detail_view_name = "api:rfi-detail"
    urgency = serializers.ChoiceField(source="rfi.urgency", choices=Urgency.choices, read_only=True)
    deadline = serializers.DateTimeField(source="rfi.deadline", read_only=True)
    rfi_status = serializers.ChoiceField(source="rfi.status", choices=RFIStatus.choices, read_only=True)
    overdue = serializers.BooleanField(source="rfi.is_overdue", read_only=True)

    class Meta(RecordDetailSerializer.Meta):
        fields = [*RecordDetailSerializer.Meta.fields, "urgency", "deadline", "rfi_status", "overdue"]


class RFICreateSerializer(_RecordInput):
    addressees = serializers.SlugRelatedField(
        slug_field="code", queryset=State.objects.all(), many=True, allow_empty=False
    )
    purpose = StrictCharField()
    legal_basis = StrictCharField(max_length=500)
    questions = serializers.ListField(child=StrictCharField(), allow_empty=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.STANDARD)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    about = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Id of a record you may see that the request asks about.")
    )

    class Meta(_RecordInput.Meta):
        fields = [
            *[f for f in _RecordInput.Meta.fields if f not in ("share_with", "shortcut")],
            "addressees",
            "purpose",
            "legal_basis",
            "questions",
            "urgency",
            "deadline",
            "about",
        ]

    def create(self, validated_data):
        user = self.context["request"].user
        about = None
        if validated_data.get("about"):
            # Out of the user's scope looks like nonexistent: the same refusal either way.
            about = IntelRecord.objects.visible_to(user).filter(pk=validated_data["about"]).first()
            if about is None:
                raise serializers.ValidationError({"about": _("You cannot ask about a record you may not see.")})
        return services.create_rfi(
            user=self.context["request"].user,
            fields=self.record_fields(validated_data),
            addressees=validated_data["addressees"],
            purpose=validated_data["purpose"],
            legal_basis=validated_data["legal_basis"],
            questions=validated_data["questions"],
            urgency=validated_data["urgency"],
            deadline=validated_data.get("deadline"),
            identifiers=validated_data.get("identifiers", []),
            about=about,
        )


class RespondSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(
        choices=[(s, RFIStatus(s).label) for s in (RFIStatus.ANSWERED, RFIStatus.PARTLY_ANSWERED, RFIStatus.REFUSED)],
        default=RFIStatus.ANSWERED,
    )

    class Meta:
        model = IntelRecord
        fields = [*TEXT_FIELDS, *MARKING_FIELDS, "outcome"]


class ShareSerializer(serializers.Serializer):
    share_with = share_with_field()
    shortcut = shortcut_field()


class DisseminationRequestSerializer(serializers.Serializer):
    states = serializers.SlugRelatedField(slug_field="code", queryset=State.objects.all(), many=True, allow_empty=False)
    reason = StrictCharField()


class DisseminationDecisionSerializer(serializers.Serializer):
    request = serializers.IntegerField(help_text=_("Id of the dissemination request."))
    approve = serializers.BooleanField()


class RemarkingRequestSerializer(serializers.ModelSerializer):
    """A request that the originator change the markings (requester and status are the server's)."""

    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    requesting_state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    tlp = serializers.ChoiceField(choices=TLP.choices)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)
    classification = serializers.ChoiceField(choices=Classification.choices)

    class Meta:
        model = RemarkingRequest
        fields = [
            "id",
            "tlp",
            "handling_code",
            "handling_note",
            "classification",
            "reason",
            "requested_by",
            "requesting_state",
            "status",
            "created_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = ["id", "status", "created_at", "decided_at"]


class RemarkingDecisionSerializer(serializers.Serializer):
    request = serializers.IntegerField(help_text=_("Id of the re-marking request."))
    accept = serializers.BooleanField()


class MarkingChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MarkingChange
        fields = ["changed_at", "changed_by", "old", "new", "downgrade", "reason"]
        read_only_fields = fields


class AccessLogSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["at", "user", "state", "action", "ip"]
        read_only_fields = fields
