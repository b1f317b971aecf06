"""Writers of the change feed: post_save of every registered kind, and the share hook."""

from __future__ import annotations

from django.db.models.signals import post_save

from core import changes, sharing

from .models import ChangeEvent
from .registry import KINDS, kind_of


def _on_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return  # fixtures
    kind = kind_of(sender)
    if kind is None:
        return
    gone = kind.gone_status is not None and getattr(instance, "status", None) == kind.gone_status
    op = ChangeEvent.Op.TOMBSTONE if gone else ChangeEvent.Op.UPSERT
    event = ChangeEvent.objects.create(kind=kind.name, object_id=instance.pk, op=op)
    from .webhooks import enqueue_for_event

    enqueue_for_event(event)


def _on_share(op: str, model, object_ids: list[int], state_ids: list[int]) -> None:
    """A grant is an upsert for the new recipients; a revoke a tombstone for each state that lost it."""
    kind = kind_of(model)
    if kind is None:
        return
    if op == "grant":
        events = [ChangeEvent(kind=kind.name, object_id=oid, op=ChangeEvent.Op.UPSERT) for oid in object_ids]
    else:
        events = [
            ChangeEvent(kind=kind.name, object_id=oid, op=ChangeEvent.Op.TOMBSTONE, state_id=sid)
            for oid in object_ids
            for sid in state_ids
        ]
    from .webhooks import enqueue_for_events

    enqueue_for_events(ChangeEvent.objects.bulk_create(events))


def _on_bulk(sender, object_ids: list[int], **kwargs) -> None:
    """Rows changed without save() (core.changes.announce): one upsert each, in one INSERT."""
    kind = kind_of(sender)
    if kind is None:
        return
    from .webhooks import enqueue_for_events

    enqueue_for_events(
        ChangeEvent.objects.bulk_create(
            [ChangeEvent(kind=kind.name, object_id=oid, op=ChangeEvent.Op.UPSERT) for oid in object_ids]
        )
    )


def connect() -> None:
    for kind in KINDS.values():
        post_save.connect(_on_save, sender=kind.model, dispatch_uid=f"sync.change.{kind.name}")
    changes.objects_changed.connect(_on_bulk, dispatch_uid="sync.change.bulk")
    if _on_share not in sharing.share_hooks:
        sharing.share_hooks.append(_on_share)
