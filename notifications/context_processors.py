"""The bell: the unread count on every page, one bounded query.

Lazy: the query runs only when a template shows the bell, so an htmx partial or a
JSON answer that never renders base.html pays nothing for it.
"""

from django.utils.functional import SimpleLazyObject

from .services import bell_label, unread_count


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load() -> dict:
        count = unread_count(user)
        return {"count": count, "label": bell_label(count)}

    return {"bell": SimpleLazyObject(load)}
