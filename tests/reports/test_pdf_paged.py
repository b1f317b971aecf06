"""The PDF table is laid out a page at a time (issue 15 item 5: memory not growing with
the rows): the pages read exactly as one ReportLab Table split across pages would (same
column widths, same page breaks, the header on every page, the totals at the end),
"Page X of N" on every page, and the memory the layout takes does not follow the rows."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

import reports.writers as writers
from reports.writers import PDFWriter, ReportMeta

COLUMNS = ["Reference", "Occurred at", "Place", "Substance", "Quantity", "Kg equivalent", "Handling notice"]


def meta() -> ReportMeta:
    return ReportMeta(
        title="Seizure register",
        period="2026",
        generated_at=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        requested_by="officer",
        tlp="AMBER",
        classification="restricted",
        handling_code="H1",
        columns=COLUMNS,
        chart_title="Kilograms equivalent by substance",
        chart={"Heroin": 12.5, "Opium": 3.25},
        totalled_columns=(5,),
        weight_columns=(5,),
    )


def row(n: int) -> list:
    """Rows of varying heights: some cells wrap over several lines, some weights are empty."""
    notice = "Not for use as evidence without the originator's consent. " * (n % 4)
    return [
        f"CARICC-KZ-2026-{n:06d}",
        dt.datetime(2026, 1 + n % 12, 1 + n % 28, n % 24),
        f"Checkpoint {n % 50}" + (" on the long road between two border towns" if n % 7 == 0 else ""),
        ["Heroin", "Cannabis resin (hashish)", "Methamphetamine"][n % 3],
        Decimal(n % 997 + 1) / Decimal(10),
        None if n % 11 == 0 else Decimal(n % 997 + 1) / Decimal(100),
        notice.strip(),
    ]


def write_pdf(path, rows: int) -> PDFWriter:
    writer = PDFWriter(path, meta())
    for n in range(rows):
        writer.write(row(n))
    writer.close()
    return writer


def pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def one_table(rows, make_table, widths_for):
    """What the writer did before: one Table of every row, split by ReportLab."""
    return make_table(list(rows), None, None)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC))


def test_pages_read_as_one_table_split_by_reportlab(tmp_path, monkeypatch):
    paged = tmp_path / "paged.pdf"
    write_pdf(paged, 400)
    monkeypatch.setattr(writers, "_paged_table", one_table)
    whole = tmp_path / "whole.pdf"
    write_pdf(whole, 400)

    got, expected = pages(paged), pages(whole)
    assert len(got) > 10
    assert got == expected  # same widths, same row heights, same page breaks, same totals


def test_every_page_has_the_header_its_number_and_the_markings(tmp_path):
    path = tmp_path / "t.pdf"
    writer = write_pdf(path, 300)
    texts = pages(path)
    assert len(texts) > 5
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert text.count("TLP:AMBER · H1 · RESTRICTED") >= 2  # header and footer
        assert "Reference" in text and "Handling notice" in text  # the table's header row
    everything = "\n".join(texts)
    assert [f"CARICC-KZ-2026-{n:06d}" for n in range(300)] == [
        word for word in everything.split() if word.startswith("CARICC-KZ-")
    ]
    assert "Total" in texts[-1] and "Total" not in "\n".join(texts[:-1])
    assert writer.totals_row()[5] == f"{sum(row(n)[5] or 0 for n in range(300)):,.3f}"


def test_rows_beyond_the_cap_are_counted_not_shown(tmp_path, settings):
    settings.REPORTS_PDF_MAX_ROWS = 40
    path = tmp_path / "t.pdf"
    writer = write_pdf(path, 100)
    text = "\n".join(pages(path))
    assert "40 of 100 rows shown" in text
    assert "CARICC-KZ-2026-000039" in text and "CARICC-KZ-2026-000040" not in text
    # The totals are of every row, also those not shown.
    assert writer.totals_row()[5] == f"{sum(row(n)[5] or 0 for n in range(100)):,.3f}"


def test_the_rows_wait_in_a_file_that_is_gone_afterwards(tmp_path):
    write_pdf(tmp_path / "t.pdf", 50)
    assert [p.name for p in tmp_path.iterdir()] == ["t.pdf"]


def traced_peak_of_pdf(path, rows: int) -> int:
    writer = PDFWriter(path, meta())
    for n in range(rows):
        writer.write(row(n))
    tracemalloc.start()
    try:
        writer.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_layout_memory_does_not_follow_the_rows(tmp_path, settings):
    settings.REPORTS_PDF_MAX_ROWS = 100_000
    traced_peak_of_pdf(tmp_path / "warm.pdf", 20)  # fonts registered, modules imported
    small = traced_peak_of_pdf(tmp_path / "small.pdf", 150)
    large = traced_peak_of_pdf(tmp_path / "large.pdf", 600)
    # One Table of every row held ~22 KB per row (a Paragraph per cell, the pages'
    # text until the end): 450 more rows took 10.0 MB more (measured). Now what grows
    # is each finished page's compressed stream and a small form: 0.26 MB.
    assert large - small < 1_500_000, (small, large)
