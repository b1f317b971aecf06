from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    """Partner systems stay in sync: the change feed (/api/v1/changes/) and signed webhooks."""

    name = "sync"
    verbose_name = _("Partner sync")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import events

        events.connect()
