"""Set-based fan-out: one INSERT ... SELECT per event, whatever the number of recipients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.roles import Role
from notifications.events import Event
from notifications.models import Notification
from notifications.services import notify, officers_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _queries(record, states) -> int:
    with CaptureQueriesContext(connection) as ctx:
        notify(Event.RECORD_SHARED, record, officers_of([s.pk for s in states]))
    return len(ctx.captured_queries)


def test_notifying_many_officers_costs_the_same_as_one(make_record, officer_kz, uz, kg, de):
    record = make_record(officer_kz)
    UserFactory(username="one-uz", state=uz, roles=[Role.LIAISON_OFFICER])
    few = _queries(record, [uz])
    for state in (kg, de):
        for i in range(20):
            UserFactory(username=f"officer-{state.code}-{i}", state=state, roles=[Role.LIAISON_OFFICER])
    many = _queries(record, [uz, kg, de])
    assert few == many
    assert Notification.objects.filter(user__state=kg).count() == 20
    insert = [q for q in connection.queries_log if q["sql"].startswith("INSERT INTO notifications_notification")]
    assert insert == [] or all("SELECT" in q["sql"] for q in insert)
