"""The permission core: who may see and change a shareable record.

A record is shared with a state by granting that state's auth Group an object
permission (django-guardian), stored in a direct-foreign-key table that belongs
to the record's model (never guardian's generic table, never per-user grants).

Reading goes through ONE path, `Model.objects.visible_to(user)`:

* a user holding the model-level `view_<model>` permission (a centre role such as
  coordinator or analyst, or a superuser) sees everything;
* anyone else sees the rows for which one of their groups holds `view_<model>`.

The list query of a model with a recipient table (`RecipientRowBase`, one row per
state group and visible object, carrying copies of the object's `created_at`, owner
state and `copied_fields` such as status and updated_at) is driven from that table for
a user in one state group: an inner join on the object id alone (a FilteredRelation
under the alias `visible_row`, restricted to the group), with the ordering moved onto
the join's own (created_at, object) columns, so `ORDER BY ... LIMIT n` is read in
order from (group_id, created_at, object_id) and costs the same whether the state sees
0.01% or 40% of the table (docs/performance.md). Filters follow the join: a range on
created_at is repeated there (PostgreSQL carries equalities, not ranges, across a
join), an owner-state equality is repeated there, and an equality or range on a copied
field is moved there (kept on the object too, PostgreSQL multiplies the selectivities).
`drive_from` moves the ordering onto another ordered table (e.g. a substance's rows).
The older shape, an `EXISTS` probe of the grant table per row of the ordered record
index, remains for models without a recipient table and for users in several state
groups; centre roles walk the model's own indexes. guardian's `get_objects_for_user`
(`id IN (...) OR id IN (...)`) hashes every grant the user can see and is never used
for lists.

`grant()` and `revoke()` are the only writers of grants and keep the recipient
table exact in the same transaction, set-based (one INSERT ... SELECT, one DELETE).

Grants are rows of guardian's direct-FK model, written in bulk by `grant()` (guardian's
own `assign_perm` costs queries per object and per group); single-object write checks
use guardian itself: `user.has_perm("app.change_x", obj)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, Exists, F, FilteredRelation, OuterRef, Q, Value, When
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual, Lookup
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


def state_model() -> Any:
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


def user_state_group_ids(user: Any) -> list[int]:
    """The ids of the user's groups that belong to a state (grants only ever go to those)."""
    if getattr(user, "_caricc_state_group_ids", None) is None:
        load_user_groups(user)
    return user._caricc_state_group_ids


def load_user_groups(user: Any) -> None:
    """Read the user's groups once (one query, the state of each group joined);
    cache their ids, their names and which of them are state groups."""
    group_field: Any = state_model()._meta.get_field("group")
    state_link = group_field.related_query_name()
    rows = list(user.groups.values_list("id", "name", state_link)) if user.pk else []
    user._caricc_group_ids = [gid for gid, _name, _state in rows]
    user._caricc_group_names = {name for _gid, name, _state in rows}
    user._caricc_state_group_ids = [gid for gid, _name, state in rows if state is not None]


def forget_user_caches(user: Any) -> None:
    """Drop every permission cache held on a user object (after a group change)."""
    for attr in (
        "_caricc_group_ids",
        "_caricc_group_names",
        "_caricc_state_group_ids",
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


# Called as hook(op, model, object_ids, state_ids) after grant() ("grant") or revoke()
# ("revoke") changed view grants, inside their transaction (e.g. the change feed of
# the sync app writes its events there). Registered by apps at ready(); core knows none.
share_hooks: list[Callable[[str, type[models.Model], list[int], list[int]], None]] = []


def _run_share_hooks(op: str, model: type[models.Model], object_ids, groups: models.QuerySet) -> None:
    if not share_hooks:
        return
    object_ids = list(object_ids)
    state_ids = [sid for sid in groups.values_list("state__id", flat=True) if sid is not None]
    if object_ids and state_ids:
        for hook in share_hooks:
            hook(op, model, object_ids, state_ids)


def grant(model: type[ShareableModel], object_ids: list[int], states, actions: Iterable[str]) -> None:
    """Give the states' groups `actions` on the objects: rows in the model's direct-FK
    guardian table, written in one INSERT; existing grants are kept (guardian's
    unique constraint), so granting twice changes nothing."""
    group_ids = list(state_groups(states).values_list("id", flat=True))
    if not object_ids or not group_ids:
        return
    table = model.group_permission_model()
    actions = list(actions)
    perm_ids = [permission_id(model, action) for action in actions]
    with transaction.atomic():
        table.objects.bulk_create(
            [
                table(content_object_id=oid, group_id=gid, permission_id=pid)
                for oid in object_ids
                for gid in group_ids
                for pid in perm_ids
            ],
            ignore_conflicts=True,
        )
        if "view" in actions and model.recipient_model() is not None:
            _add_recipient_rows(model, object_ids, group_ids)
            model.recipient_model().rows_added(object_ids, group_ids)
        if "view" in actions:
            _run_share_hooks("grant", model, object_ids, Group.objects.filter(id__in=group_ids))


def _add_recipient_rows(model: type[ShareableModel], object_ids: list[int], group_ids: list[int]) -> None:
    """One INSERT ... SELECT: a recipient row for every view grant of these objects and groups,
    with the object's `created_at` and whether the group is the object's owner state's."""
    recipients = model.recipient_model()
    grants = model.group_permission_model().objects.filter(
        content_object_id__in=object_ids, group_id__in=group_ids, permission_id=permission_id(model, "view")
    )
    owner = model.owner_state_field
    owner_id: Any
    own: Any
    if owner:
        owner_id = F(f"content_object__{owner}_id")
        own = Case(
            When(**{f"content_object__{owner}__group_id": F("group_id")}, then=Value(True)), default=Value(False)
        )
    else:
        owner_id, own = Value(None), Value(False)
    copied = list(recipients.copied_fields)
    select = grants.order_by().values_list(
        "group_id",
        "content_object_id",
        f"content_object__{model.recipient_order_field}",
        owner_id,
        own,
        *(f"content_object__{name}" for name in copied),
    )
    sql, params = select.query.sql_with_params()
    columns = ", ".join(
        connection.ops.quote_name(recipients._meta.get_field(name).column)
        for name in ("group", "content_object", "created_at", "owner_state", "own", *copied)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(recipients._meta.db_table)} ({columns}) {sql} "
            "ON CONFLICT DO NOTHING",
            params,
        )


def revoke(model: type[ShareableModel], object_ids, states, actions: Iterable[str] | None = None) -> None:
    """Withdraw the states' grants on the objects (all actions unless named), and their
    recipient rows when the view grant goes."""
    groups = state_groups(states)
    grants = model.group_permission_model().objects.filter(content_object_id__in=object_ids, group__in=groups)
    if actions is not None:
        actions = list(actions)
        grants = grants.filter(permission_id__in=[permission_id(model, action) for action in actions])
    recipients = model.recipient_model()
    with transaction.atomic():
        grants.delete()
        if recipients is not None and (actions is None or "view" in actions):
            recipients.objects.filter(content_object_id__in=object_ids, group__in=groups).delete()
            recipients.rows_removed(object_ids, groups)
        if actions is None or "view" in actions:
            _run_share_hooks("revoke", model, object_ids, groups)


# The alias under which a list query joins the recipient table.
RECIPIENT = "visible_row"
_EQUALS = ("", "exact", "pk", "id")
_RANGE_LOOKUPS: dict[str, type[Lookup]] = {
    "gt": GreaterThan,
    "gte": GreaterThanOrEqual,
    "lt": LessThan,
    "lte": LessThanOrEqual,
}


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
        state_group_ids = user_state_group_ids(user)
        if action == "view" and model.recipient_model() is not None and len(state_group_ids) == 1:
            return self.through_recipient_rows(state_group_ids[0])
        grants = model.group_permission_model().objects.filter(
            content_object=OuterRef("pk"),
            permission_id=permission_id(model, action),
            group_id__in=group_ids,
        )
        return self.filter(Exists(grants))

    def through_recipient_rows(self, group_id: int) -> ShareableQuerySet:
        """The rows the group holds view on, driven from the recipient table (see the module doc).

        One recipient row per (group, object), so the inner join adds no duplicates.
        The ordering on the model's (created_at, id) is moved onto the recipient's
        copies, which its index returns in order.
        """
        rel = self.model.recipient_model()._meta.get_field("content_object").related_query_name()
        qs = self.alias(**{RECIPIENT: FilteredRelation(rel, condition=Q(**{f"{rel}__group_id": group_id}))})
        qs = qs.filter(**{f"{RECIPIENT}__group_id": group_id})  # makes the join an inner one
        qs.query.caricc_recipient_group = group_id  # copied by Query.clone
        ordering = qs._logical_ordering()
        if ordering:
            qs._apply_driver_ordering(ordering)
        return qs

    def recipient_group_id(self) -> int | None:
        """The state group whose recipient rows drive this list, or None (a centre role,
        a user in several state groups, a model without a recipient table)."""
        if not self.has_recipient_join():
            return None
        return getattr(self.query, "caricc_recipient_group", None)

    def drive_from(self, alias: str, table: type[models.Model], object_field: str) -> ShareableQuerySet:
        """Order the list by the (created_at, object) columns of `table`, joined under
        `alias` (a FilteredRelation the caller has made an inner join holding at most
        one row per object), and repeat every later range on `created_at` there.

        For a filter with its own ordered index (e.g. the records holding a substance):
        PostgreSQL then reads that index in order and probes the rest, instead of walking
        the visibility index and probing the filter per row. Visibility is unchanged:
        the joins and conditions of `visible_to` stay in the query.
        """
        qs = self.all()  # a copy: the drivers are set on its query
        query: Any = qs.query
        query.caricc_drivers = {
            **getattr(query, "caricc_drivers", {}),
            alias: (table._meta.get_field("created_at"), table._meta.get_field(object_field)),
        }
        query.caricc_order_alias = alias
        ordering = qs._logical_ordering()
        if ordering:
            qs._apply_driver_ordering(ordering)
        return qs

    def _order_columns(self) -> tuple[str, Any, Any] | None:
        """(alias, created_at field, object field) of the join whose columns the ordering
        uses: the last `drive_from` table, else the recipient join, else None."""
        query: Any = self.query
        alias = getattr(query, "caricc_order_alias", None)
        if alias is not None:
            return (alias, *query.caricc_drivers[alias])
        if self.has_recipient_join():
            recipients = self.model.recipient_model()._meta
            return RECIPIENT, recipients.get_field("created_at"), recipients.get_field("content_object")
        return None

    def _logical_ordering(self) -> tuple:
        """The ordering as field names (before it was moved onto a joined table's columns)."""
        query: Any = self.query
        saved = getattr(query, "caricc_logical_ordering", None)
        if saved is not None:
            return saved
        return tuple(query.order_by or (query.default_ordering and self.model._meta.ordering) or ())

    def _apply_driver_ordering(self, field_names) -> None:
        """Set the ordering on this (already cloned) queryset, created_at and id moved onto the driving join."""
        query: Any = self.query
        query.caricc_logical_ordering = tuple(field_names)
        query.clear_ordering(force=True)
        query.add_ordering(*self._recipient_ordering(field_names))

    def order_by(self, *field_names) -> ShareableQuerySet:
        qs = super().order_by(*field_names)
        if field_names and qs._order_columns() is not None:
            qs._apply_driver_ordering(field_names)
        elif not field_names:
            qs.query.caricc_logical_ordering = None  # type: ignore[attr-defined]
        return qs

    def _recipient_ordering(self, field_names) -> list:
        """(-)created_at and (-)id/pk as the driving join's columns, and on the recipient
        join a field its rows copy (updated_at: the `updated_since` order, read from
        (group, updated_at, record)); any other term unchanged."""
        alias, created_at, object_field = self._order_columns()  # type: ignore[misc]
        columns = {self.model.recipient_order_field: created_at, "id": object_field, "pk": object_field}
        if alias == RECIPIENT:
            recipients = self.model.recipient_model()
            columns.update({name: recipients._meta.get_field(name) for name in recipients.copied_fields})
        out = []
        for name in field_names:
            if isinstance(name, str) and name.lstrip("-") in columns:
                col = Col(alias, columns[name.lstrip("-")])
                out.append(col.desc() if name.startswith("-") else col.asc())
            else:
                out.append(name)
        return out

    def ordering_expression(self, name: str) -> Any:
        """The column `order_by(name)` sorts on: the driving join's copy when the ordering
        is moved there (see _recipient_ordering), else the model's field. A keyset
        condition on these columns is a range of the index the ordering reads."""
        if self._order_columns() is None:
            return F(name)
        term = self._recipient_ordering([name])[0]
        return term.expression if hasattr(term, "expression") else F(term)

    def has_recipient_join(self) -> bool:
        query: Any = self.query
        return RECIPIENT in query._filtered_relations

    def not_owned_by_recipient(self) -> ShareableQuerySet:
        """When the list is driven from the recipient table: only the rows the user's state
        received (not its own), read from the partial index of non-owner rows. A no-op
        otherwise; callers keep their own filter on the owner state for the semantics."""
        if self.has_recipient_join():
            return self.filter(self._on_recipient("own", Exact, False))
        return self

    def _on_recipient(self, field: str, lookup: type[Lookup], value: Any) -> Lookup:
        """A condition on the recipient join already in the query. (A second
        `.filter(visible_row__...)` would join the table once more.)"""
        target = self.model.recipient_model()._meta.get_field(field)
        return lookup(Col(RECIPIENT, target), value)

    def _filter_or_exclude(self, negate, args, kwargs):
        """A range on the ordering column is repeated on the joined recipient rows.

        PostgreSQL carries equalities across the join's equivalence class, not
        inequalities: without the copy, a keyset page or a date filter would walk
        the recipient index from the newest row down to the bound.
        """
        args = tuple(args)
        if not negate and self.has_recipient_join():
            # An equality or a range on a copied field moves onto the recipient join instead
            # of being repeated there: kept on the record too, PostgreSQL multiplies the two
            # selectivities, underestimates the rows and hash-joins (40 ms at 1M rows for
            # status=archived, against 0.2 ms walking (group, status, created_at)). A range
            # on the copy (updated_since) lets PostgreSQL choose between walking the
            # created_at index filtering the rows it reads, and reading (group, updated_at).
            copied = self.model.recipient_model().copied_fields
            kwargs = dict(kwargs)
            for key in [k for k in kwargs if k.partition("__")[0] in copied]:
                field, _sep, lookup = key.partition("__")
                value = kwargs[key]
                if value is None or hasattr(value, "resolve_expression"):
                    continue
                if lookup in ("", "exact"):
                    args += (self._on_recipient(field, Exact, kwargs.pop(key)),)
                elif lookup in _RANGE_LOOKUPS:
                    args += (self._on_recipient(field, _RANGE_LOOKUPS[lookup], kwargs.pop(key)),)
        clone = super()._filter_or_exclude(negate, args, kwargs)  # type: ignore[misc]  # Django internal
        if negate or clone._order_columns() is None:
            return clone
        items = list(kwargs.items())
        for arg in args:
            if isinstance(arg, Q) and not arg.negated and arg.connector == Q.AND:
                items += [c for c in arg.children if isinstance(c, tuple)]
        conditions = self._recipient_copies(clone, items)
        if conditions:
            clone = super(ShareableQuerySet, clone)._filter_or_exclude(False, conditions, {})  # type: ignore[misc]
        return clone

    def _recipient_copies(self, clone: ShareableQuerySet, items) -> list[Lookup]:
        """The conditions to repeat on the joined tables: a range on the ordering column
        (a plain value) on the recipient join and every `drive_from` join; on the
        recipient join, an equality on the owner state (a value or a subquery) or on a
        field the recipient rows copy (`RecipientRowBase.copied_fields`, a plain value)."""
        order = self.model.recipient_order_field
        owner = self.model.owner_state_field
        recipient_join = clone.has_recipient_join()
        copied = self.model.recipient_model().copied_fields if recipient_join else ()
        drivers = getattr(clone.query, "caricc_drivers", {})
        out: list[Lookup] = []
        for key, value in items:
            field, _sep, lookup = key.partition("__")
            plain = not hasattr(value, "resolve_expression")
            if field == order and lookup in _RANGE_LOOKUPS and plain:
                if recipient_join:
                    out.append(clone._on_recipient("created_at", _RANGE_LOOKUPS[lookup], value))
                for alias, (created_at, _object_field) in drivers.items():
                    out.append(_RANGE_LOOKUPS[lookup](Col(alias, created_at), value))
            elif not recipient_join:
                continue
            elif owner and field in (owner, f"{owner}_id") and lookup in _EQUALS and value is not None:
                out.append(clone._on_recipient("owner_state", Exact, getattr(value, "pk", value)))
            elif field in copied and lookup in ("", "exact") and plain and value is not None:
                out.append(clone._on_recipient(field, Exact, value))
        return out

    def share_with(self, states: Iterable[StateLike], actions: Iterable[str] = ("view",)) -> None:
        """Grant every row of this queryset to the given states (one INSERT, idempotent)."""
        grant(self.model, list(self.values_list("pk", flat=True)), states, actions)

    def unshare(self, states: Iterable[StateLike], actions: Iterable[str] | None = None) -> None:
        """Withdraw the given states' grants on every row of this queryset (all actions by default)."""
        revoke(self.model, self.values_list("pk", flat=True), states, actions)


class ShareableModel(models.Model):
    """Abstract base of a model whose rows are shared with states.

    A concrete subclass declares its direct-FK grant table as a subclass of
    `guardian.models.GroupObjectPermissionBase` with `content_object` pointing
    back at it, and uses `ShareableQuerySet.as_manager()` (or a subclass).
    """

    objects = ShareableQuerySet.as_manager()

    # The column lists are ordered by, copied into the recipient table, and the
    # foreign key to the owner state (whose group's recipient rows are `own`).
    recipient_order_field = "created_at"
    owner_state_field: str | None = None

    class Meta:
        abstract = True

    @classmethod
    def recipient_model(cls) -> Any:
        """The model's recipient table (a `RecipientRowBase` subclass), if it declares one."""
        if "_recipient_model" in cls.__dict__:
            return cls.__dict__["_recipient_model"]
        found = None
        for rel in cls._meta.related_objects:
            related: Any = rel.related_model
            if issubclass(related, RecipientRowBase) and rel.field.name == "content_object":
                found = related
        setattr(cls, "_recipient_model", found)  # noqa: B010 - a per-class cache
        return found

    @classmethod
    def group_permission_model(cls) -> Any:
        """The direct-FK group permission model that stores grants on this model."""
        cached = cls.__dict__.get("_group_perm_model")
        if cached is not None:
            return cached
        for rel in cls._meta.related_objects:
            related_model: Any = rel.related_model
            if issubclass(related_model, GroupObjectPermissionBase) and rel.field.name == "content_object":
                setattr(cls, "_group_perm_model", rel.related_model)  # noqa: B010 - a per-class cache
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


class RecipientRowBase(models.Model):
    """Abstract base of a recipient table: one row per (state group, object it may view).

    The concrete subclass declares `content_object` (a ForeignKey to the shared model,
    CASCADE), a unique constraint on (group, content_object) and the ordered indexes
    the list query walks: (group, created_at, content_object), the same, partial,
    on `own = false` (the inbox: what the state received, not what it wrote), and
    (group, owner_state, created_at, content_object) for a filter on the owner state.
    Maintained only by `grant()` / `revoke()`; `created_at` is the object's (immutable).
    """

    # No index of its own: the unique (group, content_object) and the ordered indexes lead with it.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField()
    # The object's owner state, copied so that a filter on it walks (group, owner_state,
    # created_at) instead of every row the group may see; `own`: that state is the group's.
    owner_state = models.ForeignKey(
        settings.PORTAL_STATE_MODEL, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    own = models.BooleanField(default=False, help_text="The group is the object's owner state's.")

    # Fields of the object copied into its recipient rows under the same names (a concrete
    # subclass declares them), so that an equality filter on one is repeated on the join
    # and read from the subclass's index. Set at grant(); the object's writers keep them
    # exact with `sync_recipient_copies` in the same transaction.
    copied_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def rows_added(cls, object_ids, group_ids: list[int]) -> None:
        """Called by grant() after it added these groups' rows for these objects, in its
        transaction: a subclass keeps tables derived from its rows here. Nothing by default."""

    @classmethod
    def rows_removed(cls, object_ids, groups: models.QuerySet) -> None:
        """Called by revoke() after it removed these groups' rows for these objects, in its
        transaction (`object_ids` may be a queryset of ids). Nothing by default."""


def sync_recipient_copies(obj: models.Model) -> int:
    """Copy `obj`'s copied fields (RecipientRowBase.copied_fields) into its recipient rows:
    one UPDATE of the rows that differ (by the index on the object). Called, inside the
    write's transaction, by whatever changes one of those fields; returns the rows changed."""
    recipient_model = getattr(type(obj), "recipient_model", None)
    recipients = recipient_model() if recipient_model is not None else None
    if recipients is None or not recipients.copied_fields or obj.pk is None:
        return 0
    values = {name: getattr(obj, name) for name in recipients.copied_fields}
    stale = Q()
    for name, value in values.items():
        stale |= ~Q(**{name: value})
    return recipients.objects.filter(content_object_id=obj.pk).filter(stale).update(**values)
