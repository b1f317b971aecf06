"""The bell's compiled statement is cached per reader, and still counts what the reader may see now.

notifications.services keeps the compiled count statement for a minute under the
reader's identity, state, groups and a permission epoch. Grants, withdrawals and new
notifications are data the statement reads when it runs; these tests hold each kind
of change to an immediate, exact count with the cache on.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sharing import user_group_ids
from notifications import services
from notifications.events import Event
from notifications.models import Notification, NotificationQuerySet
from notifications.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.BELL_SQL_CACHE_SECONDS = 60


@pytest.fixture
def builds(monkeypatch):
    """How many times the visibility query was built (not read from the cache)."""
    calls = []
    original = NotificationQuerySet.visible_for_user

    def counting(self, user, action="view"):
        calls.append(user.pk)
        return original(self, user, action)

    monkeypatch.setattr(NotificationQuerySet, "visible_for_user", counting)
    return calls


def fresh(user):
    """The user as the next request loads it (no per-request caches)."""
    return type(user).objects.get(pk=user.pk)


def test_the_second_page_reuses_the_statement_and_runs_one_query(make_record, officer_kz, officer_uz, uz, builds):
    make_record(officer_kz, recipients=[uz])
    assert services.unread_count(fresh(officer_uz)) == 1
    reader = fresh(officer_uz)
    user_group_ids(reader)  # loaded once per request by the navigation anyway
    with CaptureQueriesContext(connection) as ctx:
        assert services.unread_count(reader) == 1
    assert len(ctx.captured_queries) == 1
    assert builds == [officer_uz.pk]


def test_a_withdrawal_and_a_new_notification_count_at_once(make_record, officer_kz, officer_uz, uz, builds):
    first = make_record(officer_kz, recipients=[uz])
    assert services.unread_count(fresh(officer_uz)) == 1
    make_record(officer_kz, recipients=[uz], title="second")
    assert services.unread_count(fresh(officer_uz)) == 2
    first.unshare([uz])
    # The share of the withdrawn record no longer counts (the grant is gone; no
    # service ran, so there is no withdrawal notice either).
    counted = services.unread_count(fresh(officer_uz))
    assert len(builds) == 1  # every count above ran the one cached statement
    readable = Notification.objects.readable_by(fresh(officer_uz)).unread()  # built afresh, no cache
    assert counted == readable.count() == 1  # the second share
    assert not readable.filter(subject_id=first.pk, event=Event.RECORD_SHARED).exists()


def test_a_reader_moved_to_another_state_counts_with_the_new_state(make_record, officer_kz, officer_uz, uz, kg):
    make_record(officer_kz, recipients=[uz])
    assert services.unread_count(fresh(officer_uz)) == 1
    uz_group, kg_group = uz.group, kg.group
    officer_uz.groups.remove(uz_group)
    officer_uz.groups.add(kg_group)
    type(officer_uz).objects.filter(pk=officer_uz.pk).update(state=kg)
    assert services.unread_count(fresh(officer_uz)) == 0


def test_a_permission_granted_to_a_group_counts_at_once(make_record, officer_kz, officer_kg, uz, builds):
    record = make_record(officer_kz, recipients=[uz])
    notify(Event.RECORD_SHARED, record, type(officer_kg).objects.filter(pk=officer_kg.pk))
    assert services.unread_count(fresh(officer_kg)) == 0  # KG may not see the record
    role = Group.objects.create(name="bench readers")
    officer_kg.groups.add(role)
    assert services.unread_count(fresh(officer_kg)) == 0
    role.permissions.add(Permission.objects.get(codename="view_intelrecord", content_type__app_label="intel"))
    assert services.unread_count(fresh(officer_kg)) == 1
    assert Notification.objects.filter(user=officer_kg).count() == 1


def test_a_deactivated_reader_counts_nothing(make_record, officer_kz, officer_uz, uz):
    make_record(officer_kz, recipients=[uz])
    assert services.unread_count(fresh(officer_uz)) == 1
    type(officer_uz).objects.filter(pk=officer_uz.pk).update(is_active=False)
    assert services.unread_count(fresh(officer_uz)) == 0
