"""Root URLs: the UI, the API under /api/v1/, its schema and docs, health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

import donors.api.urls
import intel.api.urls
import members.api.urls
import notifications.api.urls
import operations.api.urls
import reports.api.urls
import sync.api.urls
from members import twofactor
from members.auth_views import PortalLoginView

from .metrics import metrics_view
from .views import HomeView, StatusView, healthz, readyz

api_patterns = (
    members.api.urls.urlpatterns
    + intel.api.urls.urlpatterns
    + operations.api.urls.urlpatterns
    + donors.api.urls.urlpatterns
    + reports.api.urls.urlpatterns
    + notifications.api.urls.urlpatterns
    + sync.api.urls.urlpatterns
)


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request, format=None):
    """The API's collections."""
    names = sorted({p.name.rsplit("-", 1)[0] for p in api_patterns if p.name and p.name.endswith("-list")})
    return Response({name: reverse(f"api:{name}-list", request=request, format=format) for name in names})


urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    # Prometheus: staff, METRICS_ALLOWED_IPS or the bearer METRICS_TOKEN (caricc_portal.metrics).
    path("metrics", metrics_view, name="metrics"),
    path("readyz", readyz, name="readyz"),
    path("status/", StatusView.as_view(), name="status"),
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    path("accounts/2fa/setup/", twofactor.setup, name="two-factor-setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="two-factor-verify"),
    path("accounts/2fa/backup-codes/", twofactor.backup_codes, name="two-factor-backup-codes"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("intel/", include("intel.urls")),
    path("operations/", include("operations.urls")),
    path("donors/", include("donors.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include(([path("", api_root, name="root"), *api_patterns], "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

# JSON under /api/, Django's pages elsewhere (core.errors).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
