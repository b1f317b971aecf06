"""Donor reminders reach donor relations; a finished report reaches its requester only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.events import Event
from notifications.models import Notification

from .conftest import told

pytestmark = pytest.mark.django_db


def test_an_overdue_instalment_tells_donor_relations_only(donor_relations, coordinator, officer_kz, analyst):
    from donors.tasks import send_reminders
    from tests.donors.conftest import make_pledge

    past = timezone.localdate() - dt.timedelta(days=30)
    make_pledge(amount="1000.00", schedule=[(past, "1000.00")], announced_on=past - dt.timedelta(days=30))
    send_reminders()
    assert told(Event.INSTALMENT_DUE) == {"donors"}
    n = Notification.objects.get(event=Event.INSTALMENT_DUE)
    assert n.detail == "overdue"
    assert Notification.objects.readable_by(donor_relations).filter(pk=n.pk).exists()
    assert not Notification.objects.readable_by(coordinator).filter(pk=n.pk).exists()


def test_a_reporting_obligation_due_tells_donor_relations(donor_relations, officer_kz):
    from donors.models import Agreement, ReportingObligation
    from donors.tasks import send_reminders
    from tests.donors.conftest import make_pledge

    today = timezone.localdate()
    pledge = make_pledge(amount="10.00", schedule=[(today + dt.timedelta(days=90), "10.00")], announced_on=today)
    agreement = Agreement.objects.create(pledge=pledge, reference="AG-7", signed_on=today)
    ReportingObligation.objects.create(agreement=agreement, kind="narrative_final", due_on=today + dt.timedelta(days=3))
    send_reminders()
    assert told(Event.OBLIGATION_DUE) == {"donors"}
    n = Notification.objects.get(event=Event.OBLIGATION_DUE)
    assert n.reference == "AG-7" and n.detail == "before"
    assert "AG-7" in n.message


def test_a_ready_report_tells_its_requester_only(officer_kz, officer_uz, coordinator):
    from reports.models import ReportRequest
    from reports.tasks import _finish

    report = ReportRequest.objects.create(requested_by=officer_kz, kind="seizure_statistics", format="csv")
    _finish(report, "succeeded")
    assert told(Event.REPORT_READY) == {"officer-kz"}
    assert Notification.objects.readable_by(officer_kz).filter(event=Event.REPORT_READY).exists()
    assert not Notification.objects.readable_by(officer_uz).exists()
    Notification.objects.all().delete()
    failed = ReportRequest.objects.create(requested_by=officer_kz, kind="seizure_statistics", format="csv")
    _finish(failed, "failed")
    assert not Notification.objects.exists()
