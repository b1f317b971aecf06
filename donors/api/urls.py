from django.urls import path
from rest_framework.routers import SimpleRouter

from . import catalog, views

router = SimpleRouter()
router.register("donors", views.DonorViewSet, basename="donor")
router.register("pledges", views.PledgeViewSet, basename="pledge")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("pledging-events", catalog.PledgingEventViewSet, basename="pledgingevent")
router.register("agreements", catalog.AgreementViewSet, basename="agreement")
router.register("reporting-obligations", catalog.ReportingObligationViewSet, basename="reportingobligation")
router.register("exchange-rates", catalog.ExchangeRateViewSet, basename="exchangerate")
router.register("budget-lines", catalog.BudgetLineViewSet, basename="budgetline")
urlpatterns = [*router.urls, path("funding/summary/", views.FundingSummaryView.as_view(), name="funding-summary")]
