"""The files read back: XLSX (openpyxl) and PDF (pypdf) hold the rows and the markings."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.reports.conftest import PERIOD, read_csv

pytestmark = pytest.mark.django_db


def workbook(report):
    with report.file.open("rb") as fh:
        return load_workbook(io.BytesIO(fh.read()), read_only=True)


def pdf_text(report) -> str:
    with report.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_xlsx_holds_the_rows_and_the_markings(build, officer_kz, seizures):
    report = build(officer_kz, "seizure_statistics", PERIOD, "xlsx")
    assert report.status == "succeeded", report.error
    assert report.file.name == f"reports/{report.pk}/seizure_statistics-{report.pk}.xlsx"
    wb = workbook(report)
    assert wb.sheetnames == ["About", "Data"]
    about = {row[0]: row[1] if len(row) > 1 else None for row in wb["About"].iter_rows(values_only=True)}
    assert "TLP:AMBER · H0 · RESTRICTED" in about
    assert about["Highest TLP"] == "TLP:AMBER"
    assert about["Highest classification"] == "Restricted"
    assert about["Period"].startswith("1 January 2026") or "2026" in about["Period"]
    data = list(wb["Data"].iter_rows(values_only=True))
    assert data[0] == ("State", "State name", "Month", "Substance", "Seizures", "Items", "Kg equivalent")
    assert data[1:] == [
        ("KZ", "Kazakhstan", "2026-01", "Heroin", 1, 1, 2.5),
        ("KZ", "Kazakhstan", "2026-01", "Opium", 1, 1, 0.8),
        ("KZ", "Kazakhstan", "2026-02", "Heroin", 1, 1, 1),
        ("UZ", "Uzbekistan", "2026-02", "Cannabis resin (hashish)", 1, 1, 12.25),
        ("UZ", "Uzbekistan", "2026-02", "Methamphetamine", 1, 1, None),  # tablets: no weight
    ]


def test_register_xlsx_carries_each_items_own_markings(build, coordinator, seizures):
    report = build(coordinator, "seizure_register", PERIOD, "xlsx")
    data = list(workbook(report)["Data"].iter_rows(values_only=True))
    assert len(data) == 1 + 7  # every item in the period (2+1+2+1+1): the coordinator sees all
    red = [row for row in data[1:] if row[11] == "TLP:RED"]
    assert len(red) == 1 and red[0][12] == "Secret" and red[0][9] == 1000


def test_pdf_has_title_period_generated_at_table_chart_and_banner(build, officer_kz, seizures):
    report = build(officer_kz, "seizure_statistics", PERIOD, "pdf")
    assert report.status == "succeeded", report.error
    text, reader = pdf_text(report)
    assert "Seizure statistics" in text
    assert "Period:" in text and "2026" in text
    assert "Generated at:" in text
    assert text.count("TLP:AMBER · H0 · RESTRICTED") >= 2  # top and bottom of the page
    for cell in ("Kazakhstan", "Cannabis resin (hashish)", "12.250", "2026-02"):
        assert cell in text
    assert "1,000.000" not in text and "1000.000" not in text
    assert "Kilograms equivalent by substance" in text  # the chart's title (a ReportLab drawing)
    assert reader.metadata.subject == "TLP:AMBER · H0 · RESTRICTED"


def test_pdf_banner_shows_the_highest_marking_for_a_coordinator(build, coordinator, seizures):
    text, _reader = pdf_text(build(coordinator, "seizure_statistics", PERIOD, "pdf"))
    assert "TLP:RED · H0 · SECRET" in text


def test_pdf_in_russian_for_a_russian_speaking_requester(build, officer_kz, seizures):
    from django.utils import translation

    with translation.override("ru"):
        report = build(officer_kz, "seizure_statistics", PERIOD, "pdf")
    assert report.language == "ru"
    text, _reader = pdf_text(report)
    assert "Статистика изъятий" in text
    assert "Казахстан" in text


def test_csv_has_a_header_and_one_line_per_row(build, officer_kz, seizures):
    report = build(officer_kz, "seizure_register", PERIOD, "csv")
    rows = read_csv(report)
    assert rows[0][:3] == ["Reference", "Occurred at", "Reporting state"]
    assert len(rows) == 1 + report.row_count == 1 + 5
    assert all(r[2] in ("KZ", "UZ") for r in rows[1:])
    assert not [r for r in rows[1:] if r[11] == "TLP:RED"]
