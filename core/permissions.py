"""Object-permission helpers shared by the UI and the API.

Both `core.views` (UI mixins) and `core.api` (API base viewsets) import from here,
so neither base depends on the other. Visibility itself is decided by
`Model.objects.visible_to(user)` (core.visibility, core.sharing).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, models
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404
from django.utils.translation import gettext as _

from .visibility import holds_model_permission


def has_object_permission(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `user` holds `<action>_<model>` on `obj`: globally (a centre role's
    model permission, from the model backend) or on this object (a state group's
    grant, from guardian). Django's backends answer only one of the two per call."""
    opts = obj._meta
    return holds_model_permission(user, type(obj), action) or user.has_perm(
        f"{opts.app_label}.{action}_{opts.model_name}", obj
    )


def check_object_permission(user: Any, action: str, obj: models.Model) -> None:
    """Raise PermissionDenied unless `user` may `action` on `obj` (see has_object_permission).

    Call only on objects already fetched through visible_to(): the user may
    know the object exists, so 403 leaks nothing here.
    """
    if not has_object_permission(user, action, obj):
        raise PermissionDenied


def assert_in_scope(user: Any, *objs: models.Model) -> None:
    """After a write, inside its transaction: the objects must still be visible to the
    user, or PermissionDenied rolls the transaction back (NetBox re-checks the same
    way). Used by the UI's RestrictedFormMixin and the API's base viewset alike; one
    query for any number of objects of one model."""
    if not objs:
        return
    manager: Any = type(objs[0])._default_manager
    ids = {obj.pk for obj in objs}
    if manager.visible_to(user).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied(_("The object would fall outside your scope; nothing was saved."))


def get_visible_or_404(model: Any, user: Any, action: str = "view", **lookup: Any) -> Any:
    """Fetch one object through visible_to(), or raise Http404 (no existence leak).

    A lookup value the column cannot hold (text in an id, a number beyond bigint)
    is a page that does not exist, not a server error.
    """
    try:
        return model._default_manager.visible_to(user, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError, DataError) as exc:
        raise Http404 from exc


def restrict_choice_fields(form: Any, user: Any) -> None:
    """Limit every model choice field of a form to what the user may see.

    A dropdown listing records of other states would leak them as surely as a
    list page would (NetBox's restrict in forms/utils.py does the same).
    """
    for field in form.fields.values():
        if isinstance(field, (ModelChoiceField, ModelMultipleChoiceField)):
            qs: Any = field.queryset
            if hasattr(qs, "visible_to"):
                field.queryset = qs.visible_to(user)
