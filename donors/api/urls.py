from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("donors", views.DonorViewSet, basename="donor")
router.register("pledges", views.PledgeViewSet, basename="pledge")
router.register("payments", views.PaymentViewSet, basename="payment")
urlpatterns = [*router.urls, path("funding/summary/", views.FundingSummaryView.as_view(), name="funding-summary")]
