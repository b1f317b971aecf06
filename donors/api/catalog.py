"""API of the donors' reference objects the UI shows and edits (issue 16): pledging events,
agreements (with their files), reporting obligations, exchange rates and budget lines.

Same visibility as the UI (DonorsQuerySet.visible_to: the donors roles, confidential
donors hidden without their permission) and the same 404 for everyone else, liaison
officers and partner systems included (the donors app does not exist for them).

Writes are exactly the UI's (donors/views.py, donors/forms.py):

| object | create | update | needs |
|---|---|---|---|
| pledging event | POST | (the UI has no edit) | add_pledgingevent |
| agreement | POST, on a visible pledge | PUT/PATCH, not its pledge | add_/change_agreement |
| agreement file | POST multipart `/agreements/{id}/attachments/` | never | add_agreementattachment |
| reporting obligation | POST, on a visible agreement | PUT/PATCH, not its agreement | add_/change_reportingobligation |
| exchange rate | POST | PUT/PATCH | add_/change_exchangerate |
| budget line | POST | PUT/PATCH | add_/change_budgetline |

Readers (coordinators, administrators) get 403 on writes. None of these objects is
deleted or archived in the UI, so the API offers neither. Validation is the model's
own (`Model.full_clean()`: field validators, `clean()`, unique constraints), the same
call the UI's ModelForm makes; derived values (an obligation's status) are read-only.
Saves go through the model's `save()`, so django-simple-history keeps the same
history (with the API user) and an agreement refreshes its pledge's status.
"""

from __future__ import annotations

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core import uploads
from core.api import VisibleViewSetMixin
from core.pagination import IdCursorPagination
from core.permissions import assert_in_scope
from core.serializer_fields import StrictCharField
from donors.models import (
    Agreement,
    AgreementAttachment,
    BudgetLine,
    ExchangeRate,
    Pledge,
    PledgingEvent,
    ReportingObligation,
)

from .serializers import CurrencyField, VisiblePrimaryKeyRelatedField
from .views import ACCESS, DonorsAccess


def api_errors(exc: DjangoValidationError) -> dict | list:
    """A model ValidationError as the API's 400 body: messages per field, and the
    whole-object ones (e.g. a unique constraint) under `non_field_errors`."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
        for name, messages in exc.message_dict.items()
    }


class ModelRulesSerializer(serializers.ModelSerializer):
    """Checks a write with the model's own rules, as the UI's ModelForm does.

    `validate()` applies the body to a copy of the object (or a new one) and calls
    `Model.full_clean()` on the fields this serializer writes: field validators, the
    model's `clean()` (e.g. an end before the start) and its unique constraints, with
    the messages the UI shows. DRF's own copies of the unique constraints are left
    out so that a rule has one wording and one home.
    """

    def get_validators(self):
        return []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        probe = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(probe, name, value)
        writable = {field.source for field in self.fields.values() if not field.read_only}
        exclude = [f.name for f in model._meta.concrete_fields if f.name not in writable]
        try:
            probe.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(api_errors(exc)) from exc
        return attrs


class PledgingEventSerializer(ModelRulesSerializer):
    """A donor conference or pledging round."""

    url = serializers.HyperlinkedIdentityField(view_name="api:pledgingevent-detail")

    class Meta:
        model = PledgingEvent
        fields = ["id", "url", "name", "date", "online", "venue", "notes"]


class AgreementAttachmentSerializer(serializers.ModelSerializer):
    """A file attached to an agreement: what the upload policy recorded, and where to get it."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AgreementAttachment
        fields = ["id", "name", "filename", "content_type", "size", "sha256", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        path = f"/api/v1/agreements/{obj.agreement_id}/attachments/{obj.pk}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AgreementSerializer(ModelRulesSerializer):
    """The agreement that turns a pledge into a commitment; signing it commits the pledge."""

    url = serializers.HyperlinkedIdentityField(view_name="api:agreement-detail")
    pledge = VisiblePrimaryKeyRelatedField(queryset=Pledge.objects.all())
    attachments = AgreementAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "url",
            "pledge",
            "reference",
            "signed_on",
            "start_on",
            "end_on",
            "notes",
            "attachments",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class AgreementUpdateSerializer(AgreementSerializer):
    """An agreement stays with the pledge it was made for (the UI's edit form has no pledge)."""

    pledge = serializers.PrimaryKeyRelatedField(read_only=True)


class ReportingObligationSerializer(ModelRulesSerializer):
    """A report the centre owes a donor under an agreement; its status follows from the dates."""

    url = serializers.HyperlinkedIdentityField(view_name="api:reportingobligation-detail")
    agreement = VisiblePrimaryKeyRelatedField(queryset=Agreement.objects.all())

    class Meta:
        model = ReportingObligation
        fields = [
            "id",
            "url",
            "agreement",
            "kind",
            "period_start",
            "period_end",
            "due_on",
            "submitted_on",
            "accepted_on",
            "status",
        ]
        read_only_fields = ["status"]


class ReportingObligationUpdateSerializer(ReportingObligationSerializer):
    """An obligation stays under its agreement (the UI's edit form has no agreement)."""

    agreement = serializers.PrimaryKeyRelatedField(read_only=True)


class ExchangeRateSerializer(ModelRulesSerializer):
    """US dollars for one unit of a currency on a date."""

    url = serializers.HyperlinkedIdentityField(view_name="api:exchangerate-detail")
    currency = CurrencyField()

    class Meta:
        model = ExchangeRate
        fields = ["id", "url", "currency", "date", "rate_to_usd", "source"]


class BudgetLineSerializer(ModelRulesSerializer):
    """One line of the centre's budget requirement for a year, in USD."""

    url = serializers.HyperlinkedIdentityField(view_name="api:budgetline-detail")

    class Meta:
        model = BudgetLine
        fields = ["id", "url", "year", "category", "description", "amount_usd"]


class AttachmentUploadSerializer(serializers.Serializer):
    """A multipart upload: the file and the name it is listed under."""

    name = StrictCharField(max_length=200)
    file = serializers.FileField()


# --- viewsets ------------------------------------------------------------------------


class _Catalog(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """List and retrieve through visible_to; subclasses add the writes the UI offers."""

    permission_classes = ACCESS
    pagination_class = IdCursorPagination
    update_serializer_class: type[serializers.Serializer] | None = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()


class _Editable(mixins.CreateModelMixin, mixins.UpdateModelMixin, _Catalog):
    """Create and update (PUT, PATCH); no delete, as in the UI."""


class PledgingEventViewSet(mixins.CreateModelMixin, _Catalog):
    """Pledging events: created, never edited (the UI offers no edit either)."""

    queryset, serializer_class = PledgingEvent.objects.all(), PledgingEventSerializer


class CanAttachFiles(permissions.BasePermission):
    """Attaching a file needs `donors.add_agreementattachment` (the UI's upload view), not a
    change of the agreement; the agreement itself comes through visible_to (404)."""

    def has_permission(self, request, view):
        return request.user.has_perm("donors.add_agreementattachment")


class AgreementViewSet(_Editable):
    """Agreements, with their files (uploads checked by core.uploads' policy)."""

    queryset = Agreement.objects.prefetch_related("attachments")
    serializer_class = AgreementSerializer
    update_serializer_class = AgreementUpdateSerializer

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AgreementAttachmentSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="attachments",
        parser_classes=[MultiPartParser],
        permission_classes=[permissions.IsAuthenticated, DonorsAccess, CanAttachFiles],
    )
    def upload(self, request, pk=None):
        """Attach a file (multipart: `name`, `file`). Checked by its content against the
        allowed types, size-limited, SHA-256 kept; stored under a random name."""
        agreement = self.get_object()
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = AgreementAttachment(
            agreement=agreement, name=body.validated_data["name"], uploaded_by=request.user
        )
        try:
            attachment.accept_upload(body.validated_data["file"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from exc
        with transaction.atomic():
            attachment.save()
            assert_in_scope(request.user, attachment)
        data = AgreementAttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        # The stored type, detected from the content at upload (core.uploads.ALLOWED_TYPES).
        responses={(200, ct): OpenApiTypes.BINARY for ct in sorted(set(uploads.ALLOWED_TYPES.values()))},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download a file of the agreement (logged, like the UI's download)."""
        agreement = self.get_object()
        attachment = next((a for a in agreement.attachments.all() if str(a.pk) == attachment_id), None)
        if attachment is None:
            raise Http404
        return attachment.download(request)


class ReportingObligationViewSet(_Editable):
    queryset = ReportingObligation.objects.all()
    serializer_class = ReportingObligationSerializer
    update_serializer_class = ReportingObligationUpdateSerializer


class ExchangeRateViewSet(_Editable):
    """Exchange rates. Correcting one never rewrites the rate stored on a pledge or payment."""

    queryset, serializer_class = ExchangeRate.objects.all(), ExchangeRateSerializer


class BudgetLineViewSet(_Editable):
    queryset, serializer_class = BudgetLine.objects.all(), BudgetLineSerializer


__all__ = [
    "AgreementViewSet",
    "BudgetLineViewSet",
    "ExchangeRateViewSet",
    "PledgingEventViewSet",
    "ReportingObligationViewSet",
]
