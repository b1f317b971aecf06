"""/api/v1/intel/records/{id}/receipts/ (the originator sees each recipient state's receipt)
and /api/v1/intel/records/{id}/acknowledge/ (a recipient state's officer acknowledges)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import get_visible_or_404
from core.serializer_fields import StrictCharField

from .. import exchange
from ..models import IntelRecord


def _receipt_fields() -> dict:
    return {
        "state": StrictCharField(),
        # A plain string (documented values) rather than a choice field: "status" enums
        # are already many in the schema and would collide by name.
        "status": StrictCharField(help_text="not_opened, received or acknowledged"),
        "opened_at": serializers.DateTimeField(allow_null=True),
        "acknowledged_at": serializers.DateTimeField(allow_null=True),
    }


ReceiptRow = inline_serializer("RecordReceipt", _receipt_fields())

ReceiptListRow = inline_serializer("RecordReceiptList", _receipt_fields(), many=True)


class RecordReceiptsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ReceiptListRow)
    def get(self, request, pk: int):
        """Per recipient state: not_opened, received or acknowledged (the originator and the centre only)."""
        record = get_visible_or_404(IntelRecord, request.user, pk=pk)
        if not exchange.may_see_receipts(request.user, record):
            raise PermissionDenied("Only the originator sees the receipts of a record.")
        return Response(
            [
                {
                    "state": row["state"].code,
                    "status": row["status"],
                    "opened_at": row["opened_at"],
                    "acknowledged_at": row["acknowledged_at"],
                }
                for row in exchange.receipts(record)
            ]
        )


class AcknowledgeReceiptView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=ReceiptRow)
    def post(self, request, pk: int):
        """Acknowledge receipt of the record for the user's state."""
        record = get_visible_or_404(IntelRecord, request.user, pk=pk)
        receipt = exchange.acknowledge(request.user, record)
        return Response(
            {
                "state": request.user.state.code,
                "status": exchange.ACKNOWLEDGED,
                "opened_at": receipt.opened_at,
                "acknowledged_at": receipt.acknowledged_at,
            }
        )
