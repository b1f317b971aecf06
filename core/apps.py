from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The foundation: visibility, permissions, base views and viewsets, pagination,
    references, idempotency and exports. It imports no other app of the portal."""

    name = "core"
    verbose_name = _("Foundation")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks, schema  # noqa: F401 - registers the system checks and the OpenAPI extension
        from .db import set_connection_timeouts

        connection_created.connect(set_connection_timeouts, dispatch_uid="core.db.timeouts")
