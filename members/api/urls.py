from rest_framework.routers import SimpleRouter

from . import directory, views

router = SimpleRouter()
router.register("states", views.StateViewSet)
router.register("agencies", views.AgencyViewSet)
router.register("notices", views.NoticeViewSet)
router.register("state-status-changes", directory.StateStatusChangeViewSet, basename="statestatuschange")
router.register("liaison-officers", directory.LiaisonOfficerViewSet, basename="liaisonofficer")
urlpatterns = router.urls
