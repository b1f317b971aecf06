"""Seizure statistics count exactly what the requester may see, nothing else."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from intel.vocabularies import Substance
from reports.kinds import local_bounds
from tests.reports.conftest import PERIOD, read_csv

pytestmark = pytest.mark.django_db

LABELS = {str(label): value for value, label in Substance.choices}


def sql_totals(user, date_from, date_to, states=()):
    """Totals per (state, substance) straight from the tables and the grant table."""
    import datetime as dt

    start, end = local_bounds(dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to))
    view = Permission.objects.get(content_type__app_label="intel", codename="view_intelrecord").pk
    sql = """
        SELECT st.code, i.substance, COUNT(*), COALESCE(SUM(i.kg_equivalent), 0), COUNT(DISTINCT s.id)
        FROM intel_seizureitem i
        JOIN intel_seizurereport s ON s.id = i.seizure_id
        JOIN intel_intelrecord r ON r.id = s.record_id
        JOIN members_state st ON st.id = r.originating_state_id
        WHERE r.kind = 'seizure' AND s.occurred_at >= %s AND s.occurred_at < %s
          AND EXISTS (
            SELECT 1 FROM intel_intelrecordgroupobjectpermission g
            WHERE g.content_object_id = r.id AND g.permission_id = %s
              AND g.group_id IN (SELECT ug.group_id FROM members_user_groups ug WHERE ug.user_id = %s))
        GROUP BY st.code, i.substance
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, end, view, user.pk])
        rows = cursor.fetchall()
    return {
        (code, substance): (items, Decimal(str(kg)).quantize(Decimal("0.001")))
        for code, substance, items, kg, _seizures in rows
        if not states or code in states
    }


def report_totals(rows):
    """The report's rows folded to (state, substance) -> (items, kg)."""
    totals = {}
    for code, _name, _month, label, _seizures, items, kg in rows[1:]:
        key = (code, LABELS[label])
        prev_items, prev_kg = totals.get(key, (0, Decimal("0")))
        totals[key] = (prev_items + int(items), prev_kg + Decimal(kg or "0"))
    return totals


def test_officer_kz_totals_equal_a_direct_sql_aggregation_of_visible_rows(build, officer_kz, seizures):
    report = build(officer_kz, "seizure_statistics", PERIOD, "csv")
    assert report.status == "succeeded", report.error
    rows = read_csv(report)
    expected = sql_totals(officer_kz, PERIOD["date_from"], PERIOD["date_to"])
    assert report_totals(rows) == expected
    assert report.row_count == len(rows) - 1


def test_a_seizure_shared_only_with_uzbekistan_is_never_counted_for_kazakhstan(build, officer_kz, seizures):
    rows = read_csv(build(officer_kz, "seizure_statistics", PERIOD, "csv"))
    # The 1000 kg of heroin of Uzbekistan shared with no one else:
    assert not [r for r in rows[1:] if r[0] == "UZ" and r[3] == "Heroin"]
    assert sum(Decimal(r[6] or "0") for r in rows[1:]) == Decimal("16.550")  # 2.5 + 0.8 + 1 + 12.25 (tablets: none)


def test_rows_are_by_state_month_and_substance_in_local_time(build, officer_kz, seizures):
    rows = read_csv(build(officer_kz, "seizure_statistics", PERIOD, "csv"))
    assert rows[0] == ["State", "State name", "Month", "Substance", "Seizures", "Items", "Kg equivalent"]
    assert rows[1:] == [
        ["KZ", "Kazakhstan", "2026-01", "Heroin", "1", "1", "2.500"],
        ["KZ", "Kazakhstan", "2026-01", "Opium", "1", "1", "0.800"],
        # 1 February 01:00 in Almaty is still 31 January in UTC: local months count.
        ["KZ", "Kazakhstan", "2026-02", "Heroin", "1", "1", "1.000"],
        ["UZ", "Uzbekistan", "2026-02", "Cannabis resin (hashish)", "1", "1", "12.250"],
        # Tablets have no mass: counted as an item, and no weight (not 0.000 kg).
        ["UZ", "Uzbekistan", "2026-02", "Methamphetamine", "1", "1", ""],
    ]


def test_officer_uz_sees_other_numbers_matching_sql_too(build, officer_uz, seizures):
    rows = read_csv(build(officer_uz, "seizure_statistics", PERIOD, "csv"))
    assert report_totals(rows) == sql_totals(officer_uz, PERIOD["date_from"], PERIOD["date_to"])
    assert ("UZ", "heroin") in report_totals(rows)  # its own 1000 kg
    assert ("KG", "opium") in report_totals(rows)  # shared with it by Kyrgyzstan
    assert not [r for r in rows[1:] if r[0] == "KZ" and r[2] == "2026-01"]  # KZ's unshared January


def test_chosen_states_limit_the_rows(build, officer_kz, seizures):
    params = {**PERIOD, "states": ["UZ"]}
    rows = read_csv(build(officer_kz, "seizure_statistics", params, "csv"))
    assert {r[0] for r in rows[1:]} == {"UZ"}
    assert report_totals(rows) == sql_totals(officer_kz, PERIOD["date_from"], PERIOD["date_to"], states=["UZ"])


def test_a_coordinator_counts_every_seizure(build, coordinator, seizures):
    rows = read_csv(build(coordinator, "seizure_statistics", PERIOD, "csv"))
    totals = report_totals(rows)
    assert totals[("UZ", "heroin")] == (1, Decimal("1000.000"))
    assert totals[("KG", "opium")] == (1, Decimal("40.000"))


def test_the_highest_markings_of_included_records_are_recorded(build, officer_kz, coordinator, seizures):
    kz_report = build(officer_kz, "seizure_statistics", PERIOD, "csv")
    assert (kz_report.tlp, kz_report.classification) == ("AMBER", "restricted")
    all_report = build(coordinator, "seizure_statistics", PERIOD, "csv")
    assert (all_report.tlp, all_report.classification) == ("RED", "secret")


def test_a_database_aggregation_check_on_postgresql_too(build, officer_kz, seizures):
    """Same comparison, whatever the engine: the SQL above is portable."""
    report = build(officer_kz, "seizure_statistics", PERIOD, "xlsx")
    from openpyxl import load_workbook

    with report.file.open("rb") as fh:
        wb = load_workbook(fh, read_only=True)
        rows = [[("" if v is None else str(v)) for v in row] for row in wb["Data"].iter_rows(values_only=True)]
    assert report_totals(rows) == sql_totals(officer_kz, PERIOD["date_from"], PERIOD["date_to"])
