"""Creating notifications: one INSERT ... SELECT per event, however many recipients.

`notify(event, subject, recipients)` turns a queryset of users into notification
rows in a single statement (the recipients' SELECT is compiled into the INSERT),
then, once the transaction commits, enqueues the e-mail task of that batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models, router, transaction
from django.utils import timezone

from core.sharing import user_group_ids
from core.visibility import can_see_anything
from members.roles import Role

from .models import Notification


def officers_of(state_ids: Iterable[int | None]) -> models.QuerySet:
    """Active liaison officers of the given states (partner systems are not told)."""
    ids = [pk for pk in state_ids if pk is not None]
    return get_user_model().objects.filter(is_active=True, state_id__in=ids, groups__name=Role.LIAISON_OFFICER)


def holders_of(*roles: str) -> models.QuerySet:
    """Active centre staff holding any of the roles."""
    return get_user_model().objects.filter(is_active=True, groups__name__in=roles)


def users(*user_ids: int | None) -> models.QuerySet:
    return get_user_model().objects.filter(is_active=True, pk__in=[pk for pk in user_ids if pk])


def notify(
    event: str,
    subject: models.Model,
    recipients: models.QuerySet,
    *,
    reference: str = "",
    detail: str = "",
    exclude=None,
) -> int:
    """Write one notification per recipient in ONE statement; e-mail them after commit.

    `recipients` is a queryset of users, never evaluated here: its SELECT becomes
    the source of an INSERT ... SELECT. `exclude` (a user) is left out: nobody is
    told about what they did themselves. Returns the number of rows written.
    """
    if exclude is not None and getattr(exclude, "pk", None):
        recipients = recipients.exclude(pk=exclude.pk)
    try:
        source_sql, source_params = recipients.order_by().values("id").distinct().query.sql_with_params()
    except EmptyResultSet:  # nobody to tell (e.g. a record shared with no other state)
        return 0
    batch = uuid.uuid4()
    meta = Notification._meta
    ct_id = ContentType.objects.get_for_model(subject).pk
    values = [
        event,
        ct_id,
        subject.pk,
        (reference or getattr(subject, "reference", "") or "")[:40],
        detail[:40],
        meta.get_field("created_at").get_db_prep_value(timezone.now(), connection),
        meta.get_field("batch").get_db_prep_value(batch, connection),
    ]
    sql = (
        f"INSERT INTO {meta.db_table} "  # noqa: S608 - table name from the model, values bound
        "(user_id, event, subject_type_id, subject_id, reference, detail, created_at, batch) "
        f"SELECT r.id, %s, %s, %s, %s, %s, %s, %s FROM ({source_sql}) r"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *source_params])
        written = cursor.rowcount
    if written:
        from .tasks import send_immediate

        batch_id = str(batch)
        transaction.on_commit(lambda: send_immediate.delay(batch_id))
    return written


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (the given ones, or all). One UPDATE."""
    qs = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


BELL_CAP = 99

# The bell's SQL is compiled once per reader and kept for a minute. What it depends
# on is the reader's identity, state, groups and superuser flag (all in the key) and the
# permissions of those groups (PERMISSION_EPOCH_KEY, bumped when they change):
# grants, withdrawals and new notifications are data the statement reads when it
# runs, so they count at once. Building the query with its five visibility
# subqueries costs several ms of Python per page, the statement itself under one.
BELL_SQL_CACHE_SECONDS = 60
PERMISSION_EPOCH_KEY = "notifications:permission-epoch"
_CACHEABLE_PARAMS = (int, str)


def unread_count(user, cap: int = BELL_CAP) -> int:
    """Unread notifications the user may still see, counted up to cap + 1 (one query).

    The LIMIT keeps the count bounded: the partial index on unread rows is walked
    for at most cap + 1 readable rows, whatever the table holds.
    """
    if not can_see_anything(user):
        return 0
    compiled = _bell_sql(user, cap)
    if compiled is None:
        return 0
    sql, params = compiled
    with connections[router.db_for_read(Notification)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _bell_sql(user, cap: int) -> tuple[str, tuple] | None:
    """The compiled count statement for this reader: from the cache, or built now.

    None when the reader can see no notification at all (nothing to run).
    """
    ttl = getattr(settings, "BELL_SQL_CACHE_SECONDS", BELL_SQL_CACHE_SECONDS)
    alias = router.db_for_read(Notification)
    key = None
    if ttl:
        epoch = cache.get_or_set(PERMISSION_EPOCH_KEY, 0, None)
        groups = ",".join(map(str, sorted(user_group_ids(user))))
        state = getattr(user, "state_id", None)
        key = f"notifications:bell-sql:{alias}:{epoch}:{user.pk}:{state}:{int(user.is_superuser)}:{groups}:{cap}"
        hit = cache.get(key)
        if hit is not None:
            return hit
    qs = Notification.objects.readable_by(user).unread().order_by().values("pk")[: cap + 1]
    try:
        inner, params = qs.query.get_compiler(using=alias).as_sql()
    except EmptyResultSet:
        return None
    compiled = (f"SELECT COUNT(*) FROM ({inner}) bell", tuple(params))  # noqa: S608 - compiled by the ORM
    # Only identity-shaped parameters are kept: a time ("now") in a future
    # visibility rule must be computed per request, so such a statement is not cached.
    if key is not None and all(isinstance(p, _CACHEABLE_PARAMS) for p in params):
        cache.set(key, compiled, ttl)
    return compiled


def permissions_changed(**kwargs) -> None:
    """A group's or a user's permissions changed: every cached bell statement is stale."""
    action = kwargs.get("action", "post_")
    if action.startswith("post_"):
        try:
            cache.incr(PERMISSION_EPOCH_KEY)
        except ValueError:  # not set yet (or evicted): the next reader starts a new epoch
            cache.set(PERMISSION_EPOCH_KEY, 1, None)


def bell_label(count: int, cap: int = BELL_CAP) -> str:
    return f"{cap}+" if count > cap else str(count)
