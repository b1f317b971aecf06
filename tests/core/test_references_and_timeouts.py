"""Write isolation: per-state references without a shared lock, bounded waits, capped batches."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from core import db as core_db
from core.models import ReferenceSequence
from intel.models import IntelRecord
from tests.intel.conftest import SEIZURE_PAYLOAD

SEIZURES = "/api/v1/intel/seizures/"


def new_record(author, state, **fields) -> IntelRecord:
    return IntelRecord.objects.create(
        kind="general",
        title="A record",
        originating_state=state,
        author=author,
        tlp="AMBER",
        handling_code="H0",
        classification="restricted",
        source_reliability="B",
        information_credibility="2",
        **fields,
    )


@pytest.mark.django_db
def test_each_state_numbers_its_own_records_and_operations(officer_kz, officer_uz, kz, uz):
    year = timezone.localdate().year
    kz_refs = [new_record(officer_kz, kz).reference for _ in range(2)]
    uz_ref = new_record(officer_uz, uz).reference
    assert all(re.fullmatch(rf"CARICC-KZ-{year}-\d{{6}}", r) for r in kz_refs), kz_refs
    assert re.fullmatch(rf"CARICC-UZ-{year}-\d{{6}}", uz_ref)
    assert int(kz_refs[1][-6:]) == int(kz_refs[0][-6:]) + 1
    from tests.operations.conftest import build_operation

    op = build_operation(officer_kz, {uz: "participant"})
    assert re.fullmatch(rf"JO-KZ-{year}-\d{{5}}", op.reference)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_new_series_starts_after_the_highest_reference_already_issued(officer_kg, kg):
    year = 2100 + uuid.uuid4().int % 800  # a series no earlier run created
    when = timezone.make_aware(timezone.datetime(year, 5, 1, 12))
    new_record(officer_kg, kg, reference=f"CARICC-KG-{year}-000041", created_at=when)
    ReferenceSequence.objects.create(series="CARICC-KG", year=year, last=17)  # an older row counter
    assert new_record(officer_kg, kg, created_at=when).reference == f"CARICC-KG-{year}-000042"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_open_batch_of_one_state_does_not_hold_up_another_states_or_its_own_numbering(
    officer_kz, officer_uz, kz, uz
):
    new_record(officer_kz, kz)  # both series exist before the race (creation is once per year)
    new_record(officer_uz, uz)
    created, release, errors = threading.Event(), threading.Event(), []

    def long_batch():
        try:
            with transaction.atomic():
                for _ in range(5):
                    new_record(officer_kz, kz)
                created.set()
                release.wait(30)  # a 500-item batch still writing
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    batch = threading.Thread(target=long_batch)
    batch.start()
    try:
        assert created.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")  # a waiting writer would fail, not pass slowly
        started = timezone.now()
        uz_record = new_record(officer_uz, uz)
        kz_record = new_record(officer_kz, kz)
        assert (timezone.now() - started).total_seconds() < 1
        assert uz_record.reference.startswith("CARICC-UZ-")
        assert kz_record.reference.startswith("CARICC-KZ-")
    finally:
        release.set()
        batch.join(30)
    assert not errors
    refs = list(IntelRecord.objects.values_list("reference", flat=True))
    assert len(refs) == len(set(refs)) == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_that_waits_for_a_lock_too_long_answers_503_json_with_retry_after(api_for, officer_kz, kz):
    record = new_record(officer_kz, kz)
    record.grant_originator()
    holding, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                list(IntelRecord.objects.select_for_update().filter(pk=record.pk))
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        response = api_for(officer_kz).patch(f"/api/v1/intel/records/{record.pk}/", {"title": "Renamed"}, format="json")
    finally:
        release.set()
        holder.join(30)
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert int(response["Retry-After"]) >= 1
    assert "nothing was saved" in response.json()["detail"]
    record.refresh_from_db()
    assert record.title == "A record"


@pytest.mark.postgres
@pytest.mark.django_db
def test_web_connections_are_bounded_and_workers_get_their_own_longer_bounds(settings, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_LOCK_TIMEOUT_MS // 1000}s"
    monkeypatch.setattr(core_db, "IN_WORKER", True)
    settings.WORKER_STATEMENT_TIMEOUT_MS = 900_000
    core_db.set_connection_timeouts(sender=None, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15min"


@pytest.mark.django_db
def test_a_batch_over_the_limit_is_refused_with_413_naming_the_limit(partner_api, kz, settings):
    settings.SEIZURE_BATCH_MAX = 3
    response = partner_api.post(SEIZURES, [SEIZURE_PAYLOAD] * 4, format="json")
    assert response.status_code == 413
    assert "At most 3 seizure reports" in response.json()["detail"]
    assert not IntelRecord.objects.exists()
    assert partner_api.post(SEIZURES, [SEIZURE_PAYLOAD] * 3, format="json").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sequence_that_vanished_under_a_running_process_is_made_again():
    from core.models import sequence_name

    first = ReferenceSequence.next_reference("CARICC-ZZ", 2031, 6)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE {sequence_name('CARICC-ZZ', 2031)}")
    with transaction.atomic():
        second = ReferenceSequence.next_reference("CARICC-ZZ", 2031, 6)
    assert first == "CARICC-ZZ-2031-000001"
    assert second.startswith("CARICC-ZZ-2031-")
