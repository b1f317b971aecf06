from django.urls import path
from rest_framework.routers import SimpleRouter

from .receipts import AcknowledgeReceiptView, RecordReceiptsView
from .stix import RecordStixViewSet, StixImportView
from .views import IntelRecordViewSet, RFIViewSet, SeizureViewSet

router = SimpleRouter()
router.register("intel/records", IntelRecordViewSet, basename="intelrecord")
router.register("intel/rfis", RFIViewSet, basename="rfi")
router.register("intel/seizures", SeizureViewSet, basename="seizure")
urlpatterns = [
    # STIX 2.1 (before the router: "stix" is not a record id).
    path("intel/records/stix/", RecordStixViewSet.as_view({"get": "stix_list"}), name="intelrecord-stix-list"),
    path(
        "intel/records/<int:pk>/stix/",
        RecordStixViewSet.as_view({"get": "stix_detail"}),
        name="intelrecord-stix",
    ),
    path("intel/stix/", StixImportView.as_view(), name="intel-stix-import"),
    path("intel/records/<int:pk>/receipts/", RecordReceiptsView.as_view(), name="intelrecord-receipts"),
    path("intel/records/<int:pk>/acknowledge/", AcknowledgeReceiptView.as_view(), name="intelrecord-acknowledge"),
    *router.urls,
]
