from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("states", views.StateViewSet)
router.register("agencies", views.AgencyViewSet)
router.register("notices", views.NoticeViewSet)
urlpatterns = router.urls
