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
        strict_text_in_the_api()


def strict_text_in_the_api() -> None:
    """Every ModelSerializer's text columns take JSON strings only (0 is not "0").

    The schema says `type: string`; DRF's CharField would turn a number into text and
    save it, an invalid request accepted (schemathesis negative_data_rejection). One
    policy for every app's serializers, set where the foundation starts, instead of a
    mixin each serializer could forget. Columns with choices stay ChoiceFields.
    """
    from django.db import models
    from rest_framework import serializers

    from .serializer_fields import StrictCharField

    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.CharField] = StrictCharField
    mapping[models.TextField] = StrictCharField
