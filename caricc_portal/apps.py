from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CariccPortalConfig(AppConfig):
    name = "caricc_portal"
    verbose_name = _("CARICC portal")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI extensions
