from django.urls import path
from rest_framework.routers import SimpleRouter

from .results import ControlledDeliveryView, OperationResultSeizuresView, OperationResultsView
from .views import JointOperationViewSet

router = SimpleRouter()
router.register("operations", JointOperationViewSet, basename="jointoperation")
urlpatterns = [
    path("operations/<int:pk>/results/", OperationResultsView.as_view(), name="jointoperation-results"),
    path(
        "operations/<int:pk>/result-seizures/",
        OperationResultSeizuresView.as_view(),
        name="jointoperation-result-seizures",
    ),
    path(
        "operations/<int:pk>/controlled-delivery/",
        ControlledDeliveryView.as_view(),
        name="jointoperation-controlled-delivery",
    ),
    *router.urls,
]
