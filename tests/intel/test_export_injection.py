"""The records CSV export (/intel/export.csv) carries no live spreadsheet formula, and shows only visible records."""

from __future__ import annotations

from intel.models import AccessLog
from tests.spreadsheets import HOSTILE, assert_csv_inert


def test_hostile_record_titles_are_exported_as_text_and_hidden_records_stay_out(
    officer_kz, officer_uz, uz, make_record, client_for
):
    shared = [make_record(officer_kz, recipients=[uz], title=title) for title in HOSTILE]
    hidden = make_record(officer_kz, title="=HIDDEN()")
    response = client_for(officer_uz).get("/intel/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert_csv_inert(body)
    text = body.decode("utf-8-sig")
    assert all(record.reference in text for record in shared)
    assert hidden.reference not in text and "HIDDEN" not in text
    assert set(AccessLog.objects.filter(action="export").values_list("record_id", flat=True)) == {r.pk for r in shared}
