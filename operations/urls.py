from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.OperationListView.as_view(), name="operation-list"),
    path("new/", views.OperationCreateView.as_view(), name="operation-create"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("<int:pk>/", views.OperationDetailView.as_view(), name="operation-detail"),
    path("<int:pk>/edit/", views.OperationUpdateView.as_view(), name="operation-update"),
    path("<int:pk>/transition/", views.TransitionView.as_view(), name="operation-transition"),
    path("<int:pk>/consent/", views.ConsentView.as_view(), name="operation-consent"),
    path("<int:pk>/delivery/", views.DeliveryEditView.as_view(), name="operation-delivery"),
    path("<int:pk>/results/", views.ResultsEditView.as_view(), name="operation-results"),
]
