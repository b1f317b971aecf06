"""Admin base classes of the foundation.

django-simple-history's history views look the object up with the raw path
value, so `/admin/<app>/<model>/<text>/history/` raised ValueError (a 500) where
Django's own admin views answer 404. Every app's history admin uses this class.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from simple_history import admin as history_admin


def _valid_pk_or_404(model: type[models.Model], value: str) -> None:
    """404 unless `value` could be a primary key of `model` (text in an id, a number out of range)."""
    field = model._meta.pk
    try:
        field.get_prep_value(field.to_python(value))
    except (ValidationError, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


class SimpleHistoryAdmin(history_admin.SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages answer 404, not 500, to a malformed id."""

    def history_view(self, request, object_id, extra_context=None):
        _valid_pk_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _valid_pk_or_404(self.model, object_id)
        _valid_pk_or_404(getattr(self.model, self.model._meta.simple_history_manager_attribute).model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
