"""Template context shared by every page: navigation by role."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def portal(request):
    """The navigation the user may use, one group per app (its `nav_group` label and
    `nav_items`), with exactly one active entry: the one whose address is the longest
    prefix of the current path (the inbox at /intel/ does not light up on
    /intel/records/)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": []}
    groups = []
    for config in apps.get_app_configs():
        items = []
        for label, url_name, roles in getattr(config, "nav_items", []):
            if roles is not None and not (user.is_superuser or user.has_role(*roles)):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": False})
        if items:
            groups.append({"label": getattr(config, "nav_group", config.verbose_name), "items": items, "active": False})
    matches = [
        (len(item["url"]), group, item)
        for group in groups
        for item in group["items"]
        if request.path.startswith(item["url"])
    ]
    if matches:
        _length, group, item = max(matches, key=lambda match: match[0])
        item["active"] = group["active"] = True
    return {"nav_groups": groups}
