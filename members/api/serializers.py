from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.serializer_fields import ListRelatedField
from members.models import Agency, Notice, State


class StateSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:state-detail")

    class Meta:
        model = State
        fields = ["id", "url", "code", "name_en", "name_ru", "status", "joined_on"]


class AgencySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:agency-detail")
    state = serializers.SlugRelatedField(slug_field="code", queryset=State.objects.all())

    class Meta:
        model = Agency
        fields = ["id", "url", "state", "kind", "name_en", "name_ru", "abbreviation"]


class NoticeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:notice-detail")
    originating_state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    shared_with = ListRelatedField(
        child_relation=serializers.SlugRelatedField(slug_field="code", queryset=State.objects.all()),
        write_only=True,
        required=False,
    )

    class Meta:
        model = Notice
        fields = ["id", "url", "title", "body", "originating_state", "author", "created_at", "shared_with"]
        # Server-owned: the time a notice was sent is the server's, never the client's (issue 10).
        read_only_fields = ["created_at"]

    def validate_shared_with(self, states):
        former = [s.code for s in states if s.status == State.Status.FORMER]
        if former:
            raise serializers.ValidationError(_("Former members cannot receive notices: %s") % ", ".join(former))
        return states

    def create(self, validated_data):
        user = self.context["request"].user
        states = list(validated_data.pop("shared_with", []))
        with transaction.atomic():
            notice = Notice.objects.create(author=user, originating_state=user.state, **validated_data)
            notice.share_with(states)
            if user.state:
                # The originating state reads and edits its own notice.
                notice.share_with([user.state], actions=("view", "change"))
        return notice
