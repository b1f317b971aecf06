"""Rows changed in bulk, announced to whoever mirrors them (the change feed, webhooks).

`post_save` is what tells the change feed (sync/events.py) that an object changed,
but `QuerySet.update()`, `bulk_create()` and `bulk_update()` send no signal. Code
that changes visible objects in bulk calls `announce(model, ids)` after the write,
in the same transaction, so a partner's mirror never misses a change. The signal
lives here, in the foundation, because the apps that write in bulk (donors,
reports) sit below the app that listens (sync): see docs/ARCHITECTURE.md, layers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.dispatch import Signal

# sender: the model class; object_ids: the primary keys of the changed rows.
objects_changed = Signal()


def announce(model: type[models.Model], object_ids: Iterable[int]) -> None:
    """Tell the listeners that these rows of `model` changed (no-op for an empty list)."""
    ids = [pk for pk in object_ids if pk is not None]
    if ids:
        objects_changed.send(sender=model, object_ids=ids)
