"""Report files people keep (issue 14 item 7): the PDF numbers each page "X of N", carries
the markings in the header and footer of every page, right-aligns numbers, adds a totals
row, and says "no weight" for tablets; the report form defaults to last month and
remembers the format."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.reports.conftest import PERIOD

pytestmark = pytest.mark.django_db


def pages_text(report) -> list[str]:
    with report.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return [page.extract_text() for page in reader.pages]


def test_pdf_numbers_pages_of_n_and_marks_every_page(build, officer_kz, seizures, settings):
    report = build(officer_kz, "seizure_register", PERIOD, "pdf")
    assert report.status == "succeeded", report.error
    pages = pages_text(report)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert text.count("TLP:AMBER · H0 · RESTRICTED") >= 2  # header and footer


def test_pdf_has_a_totals_row_and_says_no_weight_for_tablets(build, officer_kz, seizures):
    report = build(officer_kz, "seizure_statistics", PERIOD, "pdf")
    text = "\n".join(pages_text(report))
    assert "no weight (counted in units)" in text  # the methamphetamine tablets
    assert "0.000" not in text
    # Total: 5 seizures, 5 items, 16.550 kg (2.5 + 0.8 + 1 + 12.25; tablets add no mass).
    words = text.split()
    at = len(words) - 1 - words[::-1].index("Total")
    assert words[at : at + 4] == ["Total", "5", "5", "16.550"]


def test_pdf_right_aligns_number_columns(officer_kz, tmp_path):
    """The writer gives number cells a right-aligned style (read from the flowables)."""
    from django.utils import timezone

    from reports.writers import PDFWriter, ReportMeta

    meta = ReportMeta(
        title="T",
        period="P",
        generated_at=timezone.now(),
        requested_by="u",
        tlp="GREEN",
        classification="",
        columns=["Name", "Count"],
        totalled_columns=(1,),
    )
    writer = PDFWriter(tmp_path / "t.pdf", meta)
    writer.write(["a", 1200])
    writer.write(["b", 34])
    assert writer.numeric == {1}
    assert writer.totals_row() == ["Total", "1,234"]
    writer.close()
    assert "Page 1 of 1" in PdfReader(str(tmp_path / "t.pdf")).pages[0].extract_text()


def test_the_form_defaults_to_last_month_and_remembers_the_format(client_for, officer_kz):
    from django.utils import timezone

    client = client_for(officer_kz)
    form = client.get("/reports/").context["form"]
    first_of_this_month = timezone.localdate().replace(day=1)
    last_month_end = first_of_this_month - timedelta(days=1)
    assert form["date_from"].value() == last_month_end.replace(day=1)
    assert form["date_to"].value() == last_month_end
    client.post(
        "/reports/",
        {"kind": "seizure_statistics", "format": "pdf", "date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)},
    )
    assert client.get("/reports/").context["form"]["format"].value() == "pdf"


def test_xlsx_has_widths_a_frozen_header_number_formats_and_the_coloured_marking(build, officer_kz, seizures):
    from openpyxl import load_workbook

    report = build(officer_kz, "seizure_statistics", PERIOD, "xlsx")
    with report.file.open("rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    data = wb["Data"]
    assert data.freeze_panes == "A2"
    assert data["A1"].font.b and data["A1"].value == "State"
    assert all(data.column_dimensions[c].width >= 10 for c in "ABCDEFG")
    assert data.column_dimensions["G"].width >= len("Kg equivalent")
    assert data["E2"].number_format == "#,##0"  # seizures: whole numbers, grouped
    assert data["G2"].number_format == "#,##0.000"  # kilograms: three decimals, grouped
    assert "TLP:AMBER · H0 · RESTRICTED" in data.oddHeader.center.text
    assert data.oddHeader.center.color == "FFC000" and data.oddFooter.center.color == "FFC000"
    about = wb["About"]
    assert about["A1"].value == "TLP:AMBER · H0 · RESTRICTED"
    assert about["A1"].font.color.rgb == "FFFFC000"  # FIRST's amber on black
    assert about["A1"].fill.fgColor.rgb == "FF000000"
