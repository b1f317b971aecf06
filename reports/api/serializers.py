from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from core.serializer_fields import StrictCharField
from reports.choices import ReportFormat, ReportKind
from reports.models import ReportRequest


class ReportRequestSerializer(serializers.ModelSerializer):
    """A report's status; `download_url` appears once the file is ready."""

    url = serializers.HyperlinkedIdentityField(view_name="api:reportrequest-detail")
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    owner_state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    scheduled = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRequest
        fields = [
            "id",
            "url",
            "kind",
            "parameters",
            "format",
            "status",
            "progress",
            "row_count",
            "tlp",
            "classification",
            "error",
            "restarts",
            "heartbeat_at",
            "requested_by",
            "scheduled",
            "owner_state",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        if not obj.is_downloadable:
            return None
        return reverse("api:reportrequest-download", args=[obj.pk], request=self.context.get("request"))


class ReportRequestCreateSerializer(serializers.Serializer):
    """What a client sends to request a report; the kind validates `parameters`."""

    kind = serializers.ChoiceField(choices=ReportKind.choices)
    format = serializers.ChoiceField(choices=ReportFormat.choices, default=ReportFormat.XLSX)
    parameters = serializers.DictField(
        help_text=_('For example {"date_from": "2026-01-01", "date_to": "2026-03-31", "states": ["KZ", "UZ"]}.')
    )


class ReportAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = StrictCharField()
    status_url = serializers.URLField()
    detail = StrictCharField(required=False, help_text=_("Present when the task queue was unavailable."))
