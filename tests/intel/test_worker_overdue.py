"""The overdue-request job on a real Celery worker (PostgreSQL + Redis only)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from intel import services
from intel.models import RequestForInformation
from intel.tasks import flag_overdue_rfis

from .conftest import MARKINGS

pytestmark = pytest.mark.worker


def test_a_real_worker_flags_an_overdue_request_once(celery_worker_process, officer_kz, officer_uz, uz):
    record = services.create_rfi(
        user=officer_kz,
        fields={"title": "Overdue", **MARKINGS},
        addressees=[uz],
        purpose="p",
        legal_basis="l",
        questions=["q"],
    )
    RequestForInformation.objects.filter(record=record).update(deadline=timezone.now() - timedelta(hours=1))
    assert flag_overdue_rfis.delay().get(timeout=60) == 1
    assert flag_overdue_rfis.delay().get(timeout=60) == 0
    rfi = RequestForInformation.objects.get(record=record)
    assert rfi.overdue_notified_at is not None
    # The worker's mail went through its own backend; here we check the claim, not the outbox.
    assert mail.outbox == []
