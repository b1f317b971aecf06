from rest_framework.routers import SimpleRouter

from .views import IntelRecordViewSet, RFIViewSet, SeizureViewSet

router = SimpleRouter()
router.register("intel/records", IntelRecordViewSet, basename="intelrecord")
router.register("intel/rfis", RFIViewSet, basename="rfi")
router.register("intel/seizures", SeizureViewSet, basename="seizure")
urlpatterns = router.urls
