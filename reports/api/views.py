"""The reports API: request (202), follow the status, download the file."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api import Conflict, VisibleReadOnlyViewSet
from core.permissions import get_visible_or_404
from reports.filters import ReportRequestFilterSet
from reports.models import ReportRequest
from reports.services import request_report, run_again

from .serializers import ReportAcceptedSerializer, ReportRequestCreateSerializer, ReportRequestSerializer


class ReportRequestViewSet(mixins.CreateModelMixin, VisibleReadOnlyViewSet):
    """Reports you requested (and your state's scheduled ones). No update, no delete."""

    queryset = ReportRequest.objects.select_related("requested_by", "owner_state")
    serializer_class = ReportRequestSerializer
    filterset_class = ReportRequestFilterSet

    def get_serializer_class(self):
        if self.action == "create":
            return ReportRequestCreateSerializer
        return ReportRequestSerializer

    @extend_schema(request=ReportRequestCreateSerializer, responses={202: ReportAcceptedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ReportRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            report = request_report(request.user, data["kind"], data["parameters"], data["format"])
        except DjangoValidationError as exc:
            detail = exc.message_dict
            # The kind's own fields (date_from, states...) are parameters of the request.
            raise exceptions.ValidationError(
                {k if k in ("kind", "format") else f"parameters.{k}": v for k, v in detail.items()}
            ) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return self._accepted(request, report)

    def _accepted(self, request, report) -> Response:
        """202: the row is saved; its build was handed to the broker, or (broker down)
        will be by the sweep within a minute or two of the broker's return."""
        status_url = reverse("api:reportrequest-detail", args=[report.pk], request=request)
        body = {"id": report.pk, "status": report.status, "status_url": status_url}
        if getattr(report, "sent", None) is False:
            body["detail"] = _("The task queue is unavailable; the report is saved and will be sent when it is back.")
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": status_url})

    @extend_schema(request=None, responses={202: ReportAcceptedSerializer})
    @action(detail=True, methods=["post"], url_path="run-again")
    def run_again(self, request, pk=None):
        """Queue a failed report again (its requester only); 409 unless it failed."""
        report = get_visible_or_404(ReportRequest, request.user, "run", pk=pk)
        try:
            report = run_again(request.user, report)
        except DjangoValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from exc
        return self._accepted(request, report)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The report's file; 409 while it is not ready (or after it expired)."""
        report = self.get_object()
        if not report.is_downloadable:
            raise Conflict(f"The report is {report.status}; there is no file to download.")
        try:
            handle = report.file.open("rb")
        except FileNotFoundError as exc:
            raise Conflict("The report's file is no longer available.") from exc
        response = FileResponse(handle, as_attachment=True, filename=report.download_name)
        response["Content-Type"] = report.content_type
        response["Cache-Control"] = "private, no-store"
        return response
