"""Fixtures of the notification tests: records through intel's services, a Russian-reading officer."""

from __future__ import annotations

import pytest

from members.roles import Role
from notifications.models import Notification
from tests.factories import UserFactory
from tests.intel.conftest import MARKINGS, make_record, ru  # noqa: F401 (fixtures)


@pytest.fixture
def officer_uz2(uz):
    """A second Uzbek officer, who reads Russian."""
    return UserFactory(username="officer-uz-2", state=uz, roles=[Role.LIAISON_OFFICER], language="ru")


def told(event: str | None = None, **filters) -> set[str]:
    """Usernames notified (of `event`)."""
    qs = Notification.objects.all()
    if event:
        qs = qs.filter(event=event)
    return set(qs.filter(**filters).values_list("user__username", flat=True))


__all__ = ["MARKINGS", "told"]
