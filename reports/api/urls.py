from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.ReportRequestViewSet, basename="reportrequest")
urlpatterns = router.urls
