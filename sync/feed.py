"""Reading the change feed: events after a cursor, filtered by what the caller may see now.

Cost: one query for the events and one `visible_to` query per kind on the page, so a
page of 50 or 500 events costs the same number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from .models import ChangeEvent
from .registry import KINDS


@dataclass
class FeedPage:
    items: list[dict]
    cursor: int  # the last event id read; resume with ?after=<cursor>
    more: bool  # more events wait after the cursor


def visible_ids(user, kind: str, ids) -> set[int]:
    """Of these objects of a kind, the ones the user may see now (the single visibility path)."""
    model = KINDS[kind].model
    return set(model.objects.visible_to(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


def event_concerns(user, event_op: str, event_state_id: int | None, visible: bool) -> bool:
    """Whether an event is news for this user, given whether the object is visible to them now.

    An upsert: if they may see the object. A tombstone for a state: if it is the user's
    state and the object did not come back to them by another share since. A tombstone
    for everyone (archived): if they may see the object, i.e. it is in their mirror.
    """
    if event_op == ChangeEvent.Op.UPSERT:
        return visible
    if event_state_id is not None:
        return event_state_id == getattr(user, "state_id", None) and not visible
    return visible


def read_feed(user, *, after: int, limit: int, kinds: list[str] | None = None, url_for=None) -> FeedPage:
    scope = Q(state__isnull=True)
    if getattr(user, "state_id", None):
        scope |= Q(state_id=user.state_id)
    events = ChangeEvent.objects.filter(scope, id__gt=after)
    if kinds:
        events = events.filter(kind__in=kinds)
    rows = list(events.order_by("id").values("id", "kind", "object_id", "op", "state_id", "at")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    by_kind: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row["kind"] in KINDS:
            by_kind[row["kind"]].add(row["object_id"])
    visible = {kind: visible_ids(user, kind, ids) for kind, ids in by_kind.items()}
    templates: dict[str, str] = {}
    items = []
    for row in rows:
        if row["kind"] not in KINDS:
            continue
        seen = row["object_id"] in visible[row["kind"]]
        if not event_concerns(user, row["op"], row["state_id"], seen):
            continue
        item = {"id": row["id"], "kind": row["kind"], "object_id": row["object_id"], "op": row["op"], "at": row["at"]}
        if row["op"] == ChangeEvent.Op.UPSERT:
            if row["kind"] not in templates:
                path = reverse(KINDS[row["kind"]].detail_view, args=[0])
                templates[row["kind"]] = url_for(path) if url_for else path
            item["url"] = templates[row["kind"]].replace("/0/", f"/{row['object_id']}/")
        else:
            item["url"] = None
        items.append(item)
    return FeedPage(items=items, cursor=rows[-1]["id"] if rows else after, more=more)
