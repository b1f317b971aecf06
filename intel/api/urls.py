from django.urls import path
from rest_framework.routers import SimpleRouter

from .receipts import AcknowledgeReceiptView, RecordReceiptsView
from .views import IntelRecordViewSet, RFIViewSet, SeizureViewSet

router = SimpleRouter()
router.register("intel/records", IntelRecordViewSet, basename="intelrecord")
router.register("intel/rfis", RFIViewSet, basename="rfi")
router.register("intel/seizures", SeizureViewSet, basename="seizure")
urlpatterns = [
    path("intel/records/<int:pk>/receipts/", RecordReceiptsView.as_view(), name="intelrecord-receipts"),
    path("intel/records/<int:pk>/acknowledge/", AcknowledgeReceiptView.as_view(), name="intelrecord-acknowledge"),
    *router.urls,
]
