from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import receivers

        receivers.connect()

    def home_panels(self, request) -> list[dict]:
        """ "Waiting for me": what the user (or their state) must act on, bounded counts."""
        from .waiting import waiting_panels

        return waiting_panels(request.user)
