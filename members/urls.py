from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("states/", views.StateListView.as_view(), name="state-list"),
    path("states/new/", views.StateCreateView.as_view(), name="state-create"),
    path("states/<str:code>/", views.StateDetailView.as_view(), name="state-detail"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice-create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
]
