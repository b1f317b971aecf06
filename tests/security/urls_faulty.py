"""The portal's URLconf plus two views that fail, to see what a 500 looks like (tests only)."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from caricc_portal import urls as portal_urls


def fails(request):
    raise RuntimeError("a fault in a plain Django view")


@api_view(["GET"])
@permission_classes([AllowAny])
def fails_in_drf(request):
    raise RuntimeError("a fault inside DRF")


urlpatterns = [
    path("api/v1/fails/", fails),
    path("api/v1/fails-in-drf/", fails_in_drf),
    path("fails/", fails),
    *portal_urls.urlpatterns,
]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
