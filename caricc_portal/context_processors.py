"""Template context shared by every page: navigation by role."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def portal(request):
    """Navigation entries the user may use, gathered from each app's `nav_items`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "nav_items", []):
            if roles is not None and not (user.is_superuser or user.has_role(*roles)):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
