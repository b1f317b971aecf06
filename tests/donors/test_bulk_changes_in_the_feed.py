"""Bulk writes reach the change feed (core.changes.announce): partners' mirrors miss nothing.

The nightly overdue marking and the exchange-rate import write with bulk_update /
bulk_create, which send no post_save; each announces the rows it changed.
"""

from __future__ import annotations

from datetime import date

import pytest

from donors.imports import import_rates
from donors.models import ExchangeRate, Pledge
from donors.tasks import mark_overdue
from sync.models import ChangeEvent

from .conftest import make_pledge, make_rate

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[int]:
    return list(ChangeEvent.objects.filter(kind=kind).order_by("pk").values_list("object_id", flat=True))


def test_an_instalment_marked_overdue_changes_its_pledge_in_the_feed():
    # Due in the future when created (an instalment past due is overdue from the start).
    pledge = make_pledge(schedule=[(date(2030, 6, 1), "1000.00")], years=(2030, 2030))
    before = Pledge.objects.get(pk=pledge.pk).updated_at
    ChangeEvent.objects.all().delete()
    assert mark_overdue(date(2030, 7, 1)) == 1
    assert events("donors.pledge") == [pledge.pk]
    assert Pledge.objects.get(pk=pledge.pk).updated_at > before


def test_imported_rates_created_and_updated_are_in_the_feed():
    kept = make_rate("EUR", date(2026, 5, 1), "1.0800")
    before = kept.updated_at
    ChangeEvent.objects.all().delete()
    created, updated = import_rates(b"currency,date,rate_to_usd\nEUR,2026-05-01,1.09\nEUR,2026-05-02,1.095\n")
    assert (created, updated) == (1, 1)
    new = ExchangeRate.objects.get(currency="EUR", date=date(2026, 5, 2))
    assert sorted(events("donors.exchangerate")) == sorted([kept.pk, new.pk])
    assert ExchangeRate.objects.get(pk=kept.pk).updated_at > before
