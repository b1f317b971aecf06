"""Record filters as index-friendly conditions: local-day ranges, the state by id, bounded panel counts."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.visibility import capped_count
from intel.filters import IntelRecordFilterSet
from intel.models import IntelRecord, IntelRecordRecipient, sync_substances

ALMATY = ZoneInfo("Asia/Almaty")


def move(record, when: datetime) -> None:
    """Date a record (and its recipient rows, which copy created_at) at `when`."""
    IntelRecord.objects.filter(pk=record.pk).update(created_at=when)
    IntelRecordRecipient.objects.filter(content_object=record).update(created_at=when)


@pytest.fixture
def dated(officer_kz, make_record, uz):
    """Just after local midnight on 10 March and just before it (the evening of 9 March, local)."""
    early = make_record(officer_kz, recipients=[uz], title="00:30 local on the 10th")
    late = make_record(officer_kz, recipients=[uz], title="23:59 local on the 9th")
    move(early, datetime(2026, 3, 10, 0, 30, tzinfo=ALMATY))  # 2026-03-09 19:30 UTC
    move(late, datetime(2026, 3, 9, 23, 59, tzinfo=ALMATY))
    return early, late


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"created_after": "2026-03-10"}, {"early"}),
        ({"created_before": "2026-03-09"}, {"late"}),
        ({"created_before": "2026-03-10"}, {"early", "late"}),
        ({"created_after": "2026-03-09", "created_before": "2026-03-09"}, {"late"}),
        ({"created_after": "2026-03-11"}, set()),
    ],
)
def test_dates_are_days_in_the_portals_time_zone(request, dated, persona, params, expected, settings):
    assert settings.TIME_ZONE == "Asia/Almaty"
    user = request.getfixturevalue(persona)
    names = dict(zip(("early", "late"), dated, strict=True))
    qs = IntelRecordFilterSet(params, queryset=IntelRecord.objects.visible_to(user)).qs
    assert {r.pk for r in qs} == {names[n].pk for n in expected}
    sql = str(qs.query).lower()
    assert "::date" not in sql and "cast_date" not in sql and "at time zone" not in sql


def test_the_state_filter_is_an_equality_on_the_state_id(officer_kz, officer_uz, make_record, kz, uz, coordinator):
    from_kz = make_record(officer_kz, recipients=[uz])
    make_record(officer_uz, recipients=[kz])
    for code in ("KZ", "kz", " kz "):
        qs = IntelRecordFilterSet({"state": code}, queryset=IntelRecord.objects.visible_to(coordinator)).qs
        assert list(qs) == [from_kz]
    assert '"originating_state_id" = (select' in str(qs.query).lower()
    assert not IntelRecordFilterSet({"state": "ZZ"}, queryset=IntelRecord.objects.visible_to(coordinator)).qs.exists()
    assert list(IntelRecordFilterSet({"state": "KZ"}, queryset=IntelRecord.objects.visible_to(officer_uz)).qs) == [
        from_kz
    ]


def test_a_capped_count_stops_past_the_cap_and_says_so(officer_kz, make_record, uz, officer_uz):
    for _ in range(3):
        make_record(officer_kz, recipients=[uz])
    visible = IntelRecord.objects.visible_to(officer_uz)
    assert capped_count(visible, cap=3) == 3
    assert str(capped_count(visible, cap=2)) == "more than 2"


def test_the_home_panel_says_more_than_the_cap(officer_kz, make_record, uz, officer_uz, client_for, monkeypatch):
    import core.visibility

    monkeypatch.setattr(core.visibility.capped_count, "__defaults__", (2,))
    for _ in range(3):
        make_record(officer_kz, recipients=[uz])
    page = client_for(officer_uz).get("/").content.decode()
    assert "more than 2" in page


@pytest.mark.parametrize("persona", ["officer_uz", "coordinator"])
def test_the_substance_filter_finds_the_records_with_an_item_of_it(request, persona, officer_kz, make_seizure, uz):

    heroin = make_seizure(officer_kz, recipients=[uz])
    make_seizure(officer_kz, recipients=[uz])
    other = make_seizure(officer_kz, recipients=[uz])
    other.seizure.items.update(substance="cocaine")
    sync_substances([other.pk])  # a write of items outside create_seizure keeps the substance rows itself
    user = request.getfixturevalue(persona)
    qs = IntelRecordFilterSet({"substance": "heroin"}, queryset=IntelRecord.objects.visible_to(user)).qs
    assert other not in set(qs) and heroin in set(qs)
    assert qs.count() == 2  # one row per record, whatever the number of matching items
    assert not IntelRecordFilterSet({"substance": "opium"}, queryset=IntelRecord.objects.visible_to(user)).qs.exists()
