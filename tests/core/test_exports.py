"""core.exports: one CSV/XLSX path, with spreadsheet formulas neutralised (OWASP CSV injection)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_lines,
    csv_response,
    is_formula_like,
    neutralise,
    write_csv,
    xlsx_file,
    xlsx_response,
)
from tests.spreadsheets import HOSTILE, assert_csv_inert, assert_xlsx_inert, csv_cells

HEADER = ["Name", "Amount", "When"]


def hostile_rows():
    return [[value, -5, dt.date(2026, 3, 1)] for value in HOSTILE]


def test_every_owasp_formula_start_is_neutralised_and_other_text_is_not():
    for value in HOSTILE:
        assert is_formula_like(value)
        assert neutralise(value) == "'" + value
    for value in ("Almaty", "2026-03-01", " =1", "a=b", "", "'quoted"):
        assert neutralise(value) == value


def test_numbers_dates_and_none_are_not_text_and_stay_as_they_are():
    for value in (-2, Decimal("-2.5"), -0.5, dt.date(2026, 1, 1), None, True):
        assert neutralise(value) == value


def test_lazy_translations_become_text_and_are_checked_too():
    assert neutralise(gettext_lazy("Pledges")) == "Pledges"


def test_csv_stream_has_a_bom_and_a_header_and_no_live_formula():
    text = "".join(csv_lines(HEADER, hostile_rows()))
    assert text.startswith("\ufeffName,Amount,When")
    assert_csv_inert(text)
    # Numbers stay numbers: no quote before a negative amount.
    assert all(row[1] == "-5" for row in csv_cells(text)[1:])


def test_csv_file_counts_its_rows_and_is_inert(tmp_path):
    path = tmp_path / "out.csv"
    assert write_csv(path, HEADER, hostile_rows()) == len(HOSTILE)
    assert_csv_inert(path.read_bytes())


def test_a_header_cell_is_neutralised_too():
    text = "".join(csv_lines(["=1+1"], []))
    assert csv_cells(text)[0] == ["'=1+1"]


def test_xlsx_writes_formula_like_text_as_quote_prefixed_strings_and_numbers_as_numbers():
    content = xlsx_file(HEADER, hostile_rows(), sheet_title="Data").read()
    assert_xlsx_inert(content)
    sheet = load_workbook(io.BytesIO(content))["Data"]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(HOSTILE)
    # The text itself is kept (XML reads a bare carriage return back as a line feed).
    assert [row[0].value for row in rows] == [v.replace("\r", "\n") for v in HOSTILE]
    assert all(row[0].data_type == "s" and row[0].quotePrefix for row in rows)
    assert all(row[1].value == -5 and row[1].data_type == "n" for row in rows)
    assert all(not row[2].quotePrefix for row in rows)


def test_responses_stream_csv_and_send_xlsx_as_attachments():
    response = csv_response("x.csv", HEADER, hostile_rows())
    assert response["Content-Type"] == CSV_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.streaming
    assert_csv_inert(b"".join(response.streaming_content))

    response = xlsx_response("x.xlsx", HEADER, hostile_rows(), sheet_title="Data")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "x.xlsx" in response["Content-Disposition"]
    assert_xlsx_inert(b"".join(response.streaming_content))
