"""The bell: the unread count on every page, one bounded query."""

from .services import bell_label, unread_count


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = unread_count(user)
    return {"notification_count": count, "notification_bell": bell_label(count)}
