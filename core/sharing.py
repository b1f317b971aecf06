"""The permission core: who may see and change a shareable record.

A record is shared with a state by granting that state's auth Group an object
permission (django-guardian), stored in a direct-foreign-key table that belongs
to the record's model (never guardian's generic table, never per-user grants).

Reading goes through ONE path, `Model.objects.visible_to(user)`:

* a user holding the model-level `view_<model>` permission (a centre role such as
  coordinator or analyst, or a superuser) sees everything;
* anyone else sees the rows for which one of their groups holds `view_<model>`.

The list query is an `EXISTS` over the direct-FK table with a literal list of the
user's group ids and the permission id. docs/ARCHITECTURE.md explains why: guardian's
`get_objects_for_user` builds `id IN (...) OR id IN (...)`, which makes PostgreSQL
hash every grant the user can see (33-49 ms at 8% visibility, 214-236 ms at 42%),
while this shape walks the ordered index and probes guardian's unique index
(3-5 ms, independent of how much the user may see).

Grants are rows of guardian's direct-FK model, written in bulk by `grant()` (guardian's
own `assign_perm` costs queries per object and per group); single-object write checks
use guardian itself: `user.has_perm("app.change_x", obj)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_migrate
from guardian.models import GroupObjectPermissionBase

from .visibility import VisibleQuerySet, holds_model_permission

# A state (a row of settings.PORTAL_STATE_MODEL, members.State) or its primary key.
StateLike = Any

# (app_label, codename) -> Permission id. Permissions are created by migrations
# and never change id while the process lives, except when a test flushes the
# database; post_migrate fires then and we forget everything.
_PERMISSION_IDS: dict[tuple[str, str], int] = {}


def _forget_permission_ids(**kwargs: Any) -> None:
    _PERMISSION_IDS.clear()


post_migrate.connect(_forget_permission_ids, dispatch_uid="core.sharing.forget_permission_ids")


def permission_id(model: type[models.Model], action: str) -> int:
    """The id of `<action>_<model>` for a model, cached for the process."""
    opts = model._meta
    key = (opts.app_label, f"{action}_{opts.model_name}")
    if key not in _PERMISSION_IDS:
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        _PERMISSION_IDS[key] = Permission.objects.only("id").get(content_type=ct, codename=key[1]).id
    return _PERMISSION_IDS[key]


def state_model() -> type[models.Model]:
    """The model of a state (members.State), named by settings like AUTH_USER_MODEL,
    so that the foundation never imports the app that defines it."""
    return apps.get_model(settings.PORTAL_STATE_MODEL)


def user_group_ids(user: Any) -> list[int]:
    """The ids of the user's groups, cached on the user object for one request.

    The same query fills the group names (members.User.role_names picks the
    roles among them), so a page asks for the user's groups once.
    """
    cached = getattr(user, "_caricc_group_ids", None)
    if cached is None:
        load_user_groups(user)
        cached = user._caricc_group_ids
    return cached


def user_group_names(user: Any) -> set[str]:
    """The names of the user's groups (state groups and role groups), cached like the ids."""
    if getattr(user, "_caricc_group_names", None) is None:
        load_user_groups(user)
    return user._caricc_group_names


def load_user_groups(user: Any) -> None:
    """Read the user's groups once; cache their ids and names."""
    rows = list(user.groups.values_list("id", "name")) if user.pk else []
    user._caricc_group_ids = [gid for gid, _name in rows]
    user._caricc_group_names = {name for _gid, name in rows}


def forget_user_caches(user: Any) -> None:
    """Drop every permission cache held on a user object (after a group change)."""
    for attr in (
        "_caricc_group_ids",
        "_caricc_group_names",
        "_perm_cache",
        "_user_perm_cache",
        "_group_perm_cache",
        "_guardian_perms_cache",
    ):
        if hasattr(user, attr):
            delattr(user, attr)


def state_groups(states: Iterable[StateLike] | models.QuerySet) -> models.QuerySet:
    """The auth Groups of the given states (a list of states or ids, or a queryset of states)."""
    if isinstance(states, models.QuerySet):
        return Group.objects.filter(state__in=states)
    ids = [getattr(s, "pk", s) for s in states]
    return Group.objects.filter(state__in=ids)


def grant(model: type[ShareableModel], object_ids: list[int], states, actions: Iterable[str]) -> None:
    """Give the states' groups `actions` on the objects: rows in the model's direct-FK
    guardian table, written in one INSERT; existing grants are kept (guardian's
    unique constraint), so granting twice changes nothing."""
    group_ids = list(state_groups(states).values_list("id", flat=True))
    if not object_ids or not group_ids:
        return
    table = model.group_permission_model()
    perm_ids = [permission_id(model, action) for action in actions]
    table.objects.bulk_create(
        [
            table(content_object_id=oid, group_id=gid, permission_id=pid)
            for oid in object_ids
            for gid in group_ids
            for pid in perm_ids
        ],
        ignore_conflicts=True,
    )


def revoke(model: type[ShareableModel], object_ids, states, actions: Iterable[str] | None = None) -> None:
    """Withdraw the states' grants on the objects (all actions unless named)."""
    grants = model.group_permission_model().objects.filter(
        content_object_id__in=object_ids, group__in=state_groups(states)
    )
    if actions is not None:
        grants = grants.filter(permission_id__in=[permission_id(model, action) for action in actions])
    grants.delete()


class ShareableQuerySet(VisibleQuerySet):
    """Queryset of a shareable model: visibility through state grants, and bulk grants."""

    def visible_for_user(self, user: Any, action: str) -> ShareableQuerySet:
        """A centre role's model permission, or a grant to one of the user's groups."""
        model = self.model
        if holds_model_permission(user, model, action):
            return self  # a centre role with the global permission: sees all
        group_ids = user_group_ids(user)
        if not group_ids:
            return self.none()
        grants = model.group_permission_model().objects.filter(
            content_object=OuterRef("pk"),
            permission_id=permission_id(model, action),
            group_id__in=group_ids,
        )
        return self.filter(Exists(grants))

    def share_with(self, states: Iterable[StateLike], actions: Iterable[str] = ("view",)) -> None:
        """Grant every row of this queryset to the given states (one INSERT, idempotent)."""
        grant(self.model, list(self.values_list("pk", flat=True)), states, actions)

    def unshare(self, states: Iterable[StateLike], actions: Iterable[str] | None = None) -> None:
        """Withdraw the given states' grants on every row of this queryset (all actions by default)."""
        revoke(self.model, self.values("pk"), states, actions)


class ShareableModel(models.Model):
    """Abstract base of a model whose rows are shared with states.

    A concrete subclass declares its direct-FK grant table as a subclass of
    `guardian.models.GroupObjectPermissionBase` with `content_object` pointing
    back at it, and uses `ShareableQuerySet.as_manager()` (or a subclass).
    """

    objects = ShareableQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def group_permission_model(cls) -> type[GroupObjectPermissionBase]:
        """The direct-FK group permission model that stores grants on this model."""
        cached = cls.__dict__.get("_group_perm_model")
        if cached is not None:
            return cached
        for rel in cls._meta.related_objects:
            if issubclass(rel.related_model, GroupObjectPermissionBase) and rel.field.name == "content_object":
                cls._group_perm_model = rel.related_model
                return rel.related_model
        raise LookupError(f"{cls.__name__} has no direct-FK group object permission model")

    def share_with(self, states: Iterable[StateLike], actions: Iterable[str] = ("view",)) -> None:
        """Grant `actions` on this row to every given state's group (idempotent)."""
        grant(type(self), [self.pk], states, actions)

    def unshare(self, states: Iterable[StateLike], actions: Iterable[str] | None = None) -> None:
        """Withdraw grants on this row from the given states (all actions by default)."""
        revoke(type(self), [self.pk], states, actions)

    def set_shared_states(self, states: Iterable[StateLike], actions: tuple[str, ...] = ("view",)) -> None:
        """Make exactly `states` hold `actions` on this row: add the new, remove the rest."""
        State = state_model()
        wanted = {s.pk for s in states}
        with transaction.atomic():
            current = set(self.shared_state_ids(actions[0]))
            self.share_with(State.objects.filter(pk__in=wanted - current), actions)
            removed = current - wanted
            if removed:
                self.unshare(State.objects.filter(pk__in=removed), actions)

    def shared_state_ids(self, action: str = "view") -> list[int]:
        """Ids of the states whose group holds `action` on this row."""
        table = self.group_permission_model()
        return list(
            table.objects.filter(
                content_object=self,
                permission_id=permission_id(type(self), action),
                group__state__isnull=False,
            ).values_list("group__state__id", flat=True)
        )

    def shared_states(self, action: str = "view") -> models.QuerySet:
        """The states whose group holds `action` on this row, ordered by code."""
        return state_model()._default_manager.filter(pk__in=self.shared_state_ids(action)).order_by("code")
