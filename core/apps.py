from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The foundation: visibility, permissions, base views and viewsets, pagination,
    references, idempotency and exports. It imports no other app of the portal."""

    name = "core"
    verbose_name = _("Foundation")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the session's OpenAPI extension
