"""The base of every API endpoint: visibility, object permissions, pagination, errors.

A viewset declares `queryset`, `serializer_class` and `filterset_class`; this
module does the rest, the same way for every app (NetBox's base viewset).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .pagination import CodeCursorPagination, CreatedCursorPagination, IdCursorPagination
from .permissions import assert_in_scope, has_object_permission

__all__ = ["CodeCursorPagination", "CreatedCursorPagination", "IdCursorPagination"]


# The mixins are written for DRF's GenericViewSet; the type checker sees that base.
_ViewSetBase: Any = viewsets.GenericViewSet if TYPE_CHECKING else object


class Conflict(exceptions.APIException):
    """409: the request is well formed but illegal in the object's current state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action conflicts with the object's current state."
    default_code = "conflict"


class ModelPermissions(permissions.DjangoModelPermissions):
    """Model-level checks for writes; object-level checks come from `check_object_permissions`.

    Reads need no model permission: the queryset is already `visible_to(user)`.
    """

    perms_map = {
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": [],
        "PATCH": [],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        action = getattr(view, "object_write_permission", "change")
        if request.method == "DELETE":
            action = "delete"
        return has_object_permission(request.user, action, obj)


class VisibleViewSetMixin(_ViewSetBase):
    """Take the queryset from `visible_to(request.user)`; out of scope answers 404."""

    permission_classes: Sequence[Any] = [permissions.IsAuthenticated, ModelPermissions]
    visibility_action = "view"

    def get_queryset(self) -> Any:
        qs: Any = super().get_queryset()
        if not hasattr(qs, "visible_to"):
            raise TypeError(f"{type(self).__name__}: the queryset must offer visible_to(user)")
        return qs.visible_to(self.request.user, self.visibility_action)

    def perform_create(self, serializer):
        # After a write, inside the transaction, the object must still be
        # inside the user's scope (NetBox does the same); otherwise roll back.
        with transaction.atomic():
            assert_in_scope(self.request.user, serializer.save())

    def perform_update(self, serializer):
        with transaction.atomic():
            assert_in_scope(self.request.user, serializer.save())


class VisibleReadOnlyViewSet(VisibleViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, through visible_to."""


class VisibleModelViewSet(
    VisibleViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create, list, retrieve and update, through visible_to. No delete: records are archived."""


def exception_handler(exc, context):
    """DRF's handler, plus Django's own exceptions mapped to API answers."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    return drf_exception_handler(exc, context)
