from django.urls import path

from . import views

app_name = "donors"

urlpatterns = [
    path("", views.DonorListView.as_view(), name="donor-list"),
    path("new/", views.DonorCreateView.as_view(), name="donor-create"),
    path("<int:pk>/", views.DonorDetailView.as_view(), name="donor-detail"),
    path("<int:pk>/edit/", views.DonorUpdateView.as_view(), name="donor-update"),
    path("<int:pk>/archive/", views.DonorArchiveView.as_view(), name="donor-archive"),
    path("pledges/", views.PledgeListView.as_view(), name="pledge-list"),
    path("pledges/new/", views.PledgeCreateView.as_view(), name="pledge-create"),
    path("pledges/export.<str:fmt>", views.PledgeExportView.as_view(), name="pledge-export"),
    path("pledges/<int:pk>/", views.PledgeDetailView.as_view(), name="pledge-detail"),
    path("pledges/<int:pk>/edit/", views.PledgeUpdateView.as_view(), name="pledge-update"),
    path("pledges/<int:pk>/close/", views.PledgeCloseView.as_view(), name="pledge-close"),
    path("pledges/<int:pk>/archive/", views.PledgeArchiveView.as_view(), name="pledge-archive"),
    path("pledges/<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment-create"),
    path("pledges/<int:pk>/agreements/new/", views.AgreementCreateView.as_view(), name="agreement-create"),
    path("agreements/<int:pk>/edit/", views.AgreementUpdateView.as_view(), name="agreement-update"),
    path("agreements/<int:pk>/obligations/new/", views.ObligationCreateView.as_view(), name="obligation-create"),
    path("agreements/<int:pk>/attachments/new/", views.AttachmentCreateView.as_view(), name="attachment-create"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("obligations/<int:pk>/edit/", views.ObligationUpdateView.as_view(), name="obligation-update"),
    path("overdue/", views.OverdueListView.as_view(), name="overdue"),
    path("funding/", views.DashboardView.as_view(), name="dashboard"),
    path("rates/", views.ExchangeRateListView.as_view(), name="rate-list"),
    path("rates/new/", views.ExchangeRateCreateView.as_view(), name="rate-create"),
    path("rates/import/", views.ExchangeRateImportView.as_view(), name="rate-import"),
    path("rates/<int:pk>/edit/", views.ExchangeRateUpdateView.as_view(), name="rate-update"),
    path("budget/", views.BudgetLineListView.as_view(), name="budget-list"),
    path("budget/new/", views.BudgetLineCreateView.as_view(), name="budget-create"),
    path("budget/<int:pk>/edit/", views.BudgetLineUpdateView.as_view(), name="budget-update"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/new/", views.EventCreateView.as_view(), name="event-create"),
]
