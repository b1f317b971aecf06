"""Report files carry no live spreadsheet formula: hostile seizure places in the register (CSV, XLSX, PDF)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from intel.models import SeizureReport
from tests.reports.conftest import PERIOD, at, make_seizure
from tests.spreadsheets import HOSTILE, assert_csv_inert, assert_xlsx_inert

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_places(officer_kz, officer_uz, kz, uz):
    """One KZ seizure per hostile place, and a UZ one KZ may not see (its place must not appear)."""
    for n, place in enumerate(HOSTILE):
        record = make_seizure(officer_kz, kz, occurred_at=at(2026, 2, 1 + n))
        SeizureReport.objects.filter(record=record).update(place=place)
    hidden = make_seizure(officer_uz, uz, occurred_at=at(2026, 2, 20))
    SeizureReport.objects.filter(record=hidden).update(place="=HIDDEN()")


def content(report) -> bytes:
    with report.file.open("rb") as fh:
        return fh.read()


def test_the_register_csv_writes_hostile_places_as_text(build, officer_kz, hostile_places):
    report = build(officer_kz, "seizure_register", PERIOD, "csv")
    assert report.status == "succeeded" and report.row_count == len(HOSTILE)
    body = content(report)
    assert_csv_inert(body)
    assert b"HIDDEN" not in body


def test_the_register_xlsx_writes_hostile_places_as_quote_prefixed_strings(build, officer_kz, hostile_places):
    report = build(officer_kz, "seizure_register", PERIOD, "xlsx")
    assert report.status == "succeeded" and report.row_count == len(HOSTILE)
    body = content(report)
    assert_xlsx_inert(body)
    assert b"HIDDEN" not in body


def test_the_pdf_table_prints_hostile_places_quote_prefixed(build, officer_kz, hostile_places):
    report = build(officer_kz, "seizure_register", PERIOD, "pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content(report))).pages)
    assert "'+1+2" in text and "'-2+3" in text and "'=cmd|" in text
    assert "HIDDEN" not in text
