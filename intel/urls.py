from django.urls import path

from . import dashboard, exchange_views, views

app_name = "intel"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("mine/", views.MyRecordsView.as_view(), name="my-records"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("mark-read/", views.mark_read, name="mark-read"),
    path("export.csv", views.ExportView.as_view(), name="export"),
    path("dashboard/", dashboard.SeizureDashboardView.as_view(), name="dashboard"),
    path("records/new/", views.RecordCreateView.as_view(), name="record-create"),
    path("seizures/new/", views.SeizureCreateView.as_view(), name="seizure-create"),
    path("rfis/new/", views.RFICreateView.as_view(), name="rfi-create"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/acknowledge/", exchange_views.acknowledge_receipt, name="acknowledge-receipt"),
    path("records/<int:pk>/review/<str:action>/", exchange_views.review, name="record-review"),
    path("centre-products/", exchange_views.CentreProductsView.as_view(), name="centre-products"),
    path("records/<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("records/<int:pk>/share/", views.share, name="record-share"),
    path("records/<int:pk>/request-dissemination/", views.request_dissemination, name="request-dissemination"),
    path(
        "records/<int:pk>/dissemination/<int:request_id>/<str:decision>/",
        views.decide_dissemination,
        name="decide-dissemination",
    ),
    path("records/<int:pk>/request-remarking/", views.request_remarking, name="request-remarking"),
    path(
        "records/<int:pk>/remarking/<int:request_id>/<str:decision>/",
        views.decide_remarking,
        name="decide-remarking",
    ),
    path("records/<int:pk>/respond/", views.respond, name="rfi-respond"),
    path("records/<int:pk>/rfi/<str:action>/", views.rfi_action, name="rfi-action"),
    path("records/<int:pk>/attachments/", views.upload_attachment, name="attachment-upload"),
    path("records/<int:pk>/attachments/<int:attachment_id>/", views.download_attachment, name="attachment-download"),
    path(
        "records/<int:pk>/identifiers/<int:identifier_id>/request-access/<str:state_code>/",
        views.request_access,
        name="request-access",
    ),
]
