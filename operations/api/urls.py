from rest_framework.routers import SimpleRouter

from .views import JointOperationViewSet

router = SimpleRouter()
router.register("operations", JointOperationViewSet, basename="jointoperation")
urlpatterns = router.urls
