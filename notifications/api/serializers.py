from rest_framework import serializers

from core.serializer_fields import StrictCharField

from ..models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """A notification: the event, the subject's kind, id and reference; never its content."""

    url = serializers.HyperlinkedIdentityField(view_name="api:notification-detail")
    message = StrictCharField(read_only=True)
    subject_kind = serializers.SerializerMethodField()
    subject_id = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "url",
            "event",
            "message",
            "subject_kind",
            "subject_id",
            "reference",
            "detail",
            "link",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_subject_kind(self, obj) -> str:
        ct = obj.subject_type
        return f"{ct.app_label}.{ct.model}"

    def get_subject_id(self, obj) -> int | None:
        return obj.subject_id if obj.has_link else None

    def get_link(self, obj) -> str | None:
        request = self.context.get("request")
        if not obj.has_link:
            return None
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None
