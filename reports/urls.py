from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="download"),
    path("<int:pk>/run-again/", views.ReportRunAgainView.as_view(), name="run-again"),
]
