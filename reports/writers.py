"""File writers: CSV and XLSX (through core.exports, the portal's one spreadsheet path) and PDF (ReportLab).

Each writer takes rows one at a time and writes them to a local file, so memory
does not grow with the number of rows (the PDF shows at most
REPORTS_PDF_MAX_ROWS rows, spooled to a temporary file and laid out a page at a
time: a table of 100,000 rows is no document anyone reads, and the CSV and XLSX
carry everything; its totals and chart count every row). Every text cell goes through
core.exports' formula neutralisation, the PDF's too.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core import exports

from .kinds import classification_label, tlp_label

# DejaVu (free licence, reports/fonts/LICENSE) is vendored so PDFs carry Cyrillic
# on any machine, with no system font package and nothing fetched at run time.
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
DEFAULT_PDF_FONT = str(FONTS_DIR / "DejaVuSans.ttf")
DEFAULT_PDF_BOLD_FONT = str(FONTS_DIR / "DejaVuSans-Bold.ttf")
PDF_CELL_FONT_SIZE = 7


@dataclass
class ReportMeta:
    """What every file states about itself."""

    title: str
    period: str
    generated_at: dt.datetime  # aware
    requested_by: str
    tlp: str  # normalised, e.g. "AMBER" ("" when no marked record is included)
    classification: str  # e.g. "restricted"
    columns: list[str]
    chart_title: str = ""
    reference: str = ""
    chart: dict[str, float] = field(default_factory=dict)
    handling_code: str = ""  # the strictest H0-H3 of the records included
    totalled_columns: tuple[int, ...] = ()  # added up in the PDF's totals row
    weight_columns: tuple[int, ...] = ()  # kilograms: empty means counted in units

    @property
    def marking_text(self) -> str:
        """The banner: highest TLP, handling code and classification of the records included."""
        if not self.tlp and not self.classification:
            return _("No marked records included")
        parts = [tlp_label(self.tlp), self.handling_code, classification_label(self.classification).upper()]
        return " · ".join(p for p in parts if p)

    @property
    def generated_text(self) -> str:
        return timezone.localtime(self.generated_at).strftime("%Y-%m-%d %H:%M %Z")


class BaseWriter(ABC):
    """Writes a report file row by row, in bounded memory."""

    def __init__(self, path: Path, meta: ReportMeta) -> None:
        self.path = path
        self.meta = meta
        self.rows = 0

    @abstractmethod
    def write(self, row: list[Any]) -> None:
        """Append one data row."""

    @abstractmethod
    def close(self) -> None:
        """Finish the file (charts, footers) and release it."""


class CSVWriter(BaseWriter):
    """Plain CSV (UTF-8 with a BOM so spreadsheet programs read Cyrillic), header then rows."""

    def __init__(self, path: Path, meta: ReportMeta) -> None:
        super().__init__(path, meta)
        self.fh = open(path, "w", newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed in close()
        self.writer = exports.CSVWriter(self.fh)
        self.writer.writerow(meta.columns)

    def write(self, row: list[Any]) -> None:
        self.writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.fh.close()


class XLSXWriter(BaseWriter):
    """Sheet "About" carries the title, period, generation time and markings;
    sheet "Data" the header and the rows (core.exports.XLSXWriter, constant memory).
    """

    def __init__(self, path: Path, meta: ReportMeta) -> None:
        super().__init__(path, meta)
        self.book = exports.XLSXWriter()
        self.book.add_sheet(_("About"), widths=[24, 60], marking=meta.marking_text, tlp=meta.tlp)
        # The marking first, in the TLP's FIRST colour (black when nothing is marked).
        self.book.marking_row(meta.marking_text, meta.tlp)
        for row in (
            [_("Title"), meta.title],
            [_("Period"), meta.period],
            [_("Generated at"), meta.generated_text],
            [_("Requested by"), meta.requested_by],
            [_("Reference"), meta.reference],
            [_("Highest TLP"), tlp_label(meta.tlp)],
            [_("Highest classification"), classification_label(meta.classification)],
        ):
            self.book.writerow(row)
        # Row 1 is the column header, frozen; the marking is printed on every page.
        self.book.add_sheet(_("Data"), meta.columns, freeze_header=True, marking=meta.marking_text, tlp=meta.tlp)

    def write(self, row: list[Any]) -> None:
        self.book.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self.book.save(self.path)


TLP_COLOURS = {
    "RED": ("#FF2B2B", "#000000"),
    "AMBER": ("#FFC000", "#000000"),
    "AMBER+STRICT": ("#FFC000", "#000000"),
    "GREEN": ("#33FF00", "#000000"),
    "CLEAR": ("#FFFFFF", "#000000"),
}


def _pdf_fonts() -> tuple[str, str]:
    """The vendored DejaVu fonts (Cyrillic); ReportLab's Helvetica only if they were removed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = getattr(settings, "REPORTS_PDF_FONT", DEFAULT_PDF_FONT)
    bold = getattr(settings, "REPORTS_PDF_BOLD_FONT", DEFAULT_PDF_BOLD_FONT)
    if "PortalSans" in pdfmetrics.getRegisteredFontNames():
        return "PortalSans", "PortalSans-Bold"
    if Path(regular).exists() and Path(bold).exists():
        pdfmetrics.registerFont(TTFont("PortalSans", regular))
        pdfmetrics.registerFont(TTFont("PortalSans-Bold", bold))
        return "PortalSans", "PortalSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _cell(value: Any) -> str:
    """A table cell's text; text that a spreadsheet would run stays marked as text, as in the CSV."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.3f}" if value.as_tuple().exponent < -1 else f"{value:,}"
    if isinstance(value, str):
        return exports.neutralise(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _numbered_canvas(font: str, colour: str, pagesize):
    """A canvas that writes "Page X of N" on every page without holding the pages' drawing.

    Each page draws a PDF form XObject ("page-of-N-<X>") that is defined only when
    the document is saved and N is known (PDF allows the forward reference), so a
    finished page is kept only as its compressed content stream (_compress_now), not
    as a copy of the canvas with its text until the end (issue 15 item 5).
    """
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._numbered = 0

        def showPage(self):  # ReportLab's name
            self._numbered += 1
            self.saveState()
            self.doForm(f"page-of-N-{self._numbered}")
            self.restoreState()
            super().showPage()
            _compress_now(self._doc.Pages.pages[-1])

        def save(self):
            total = self._numbered
            for number in range(1, total + 1):
                self.beginForm(f"page-of-N-{number}")
                self.setFillColor(colors.HexColor(colour))
                self.setFont(font, 7)
                self.drawRightString(
                    pagesize[0] - 10 * mm,
                    14 * mm,
                    _("Page %(page)d of %(pages)d") % {"page": number, "pages": total},
                )
                self.endForm()
            super().save()

    return NumberedCanvas


def _compress_now(page) -> None:
    """Encode a finished page's content stream now, as ReportLab would when saving
    (same filters), so the document holds each page compressed (a sixth of the
    size) instead of every page's text until the end."""
    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc

    if not page.compression or page.Contents or not page.stream:
        return
    filters = [pdfdoc.PDFBase85Encode, pdfdoc.PDFZCompress] if rl_config.useA85 else [pdfdoc.PDFZCompress]
    content = page.stream
    for encoder in reversed(filters):
        content = encoder.encode(content)
    names = pdfdoc.PDFArray([pdfdoc.PDFName(encoder.pdfname) for encoder in filters])
    page.Contents = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": names}), content)
    page.Contents.__Comment__ = "page stream"
    page.stream = None


# The rows are measured (their heights, for the fixed column widths) this many at a
# time, as they are read from the spool; a page of the register holds 15-30.
PDF_MEASURE_ROWS = 16


class _RowSpool:
    """The rows the PDF shows, kept in a temporary file until the document is laid
    out (the chart, the totals and which columns are numbers come first and are
    known only once every row has been seen), then read back a page at a time."""

    def __init__(self, folder: Path) -> None:
        # In the report's own (private) folder, unlinked at once: nothing is left
        # behind if the process dies.
        self.fh = tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=folder)  # noqa: SIM115 - closed in close()
        self.count = 0

    def append(self, cells: list[str]) -> None:
        self.fh.write(json.dumps(cells, ensure_ascii=False))
        self.fh.write("\n")
        self.count += 1

    def __iter__(self) -> Iterator[list[str]]:
        self.fh.flush()
        self.fh.seek(0)
        for line in self.fh:
            yield json.loads(line)

    def close(self) -> None:
        self.fh.close()


def _paged_table(rows: Iterator[list[Any]], make_table, widths_for):
    """The table of the PDF, laid out a page at a time (see _paged_table_class).

    `rows`: each row's cells (the totals row last); `make_table(rows, widths,
    heights)`: a styled Table of the header and these rows; `widths_for(width)`: the
    columns' widths for the frame's width.
    """
    state = {
        "rows": rows,
        "window": [],  # rows read, not yet on a page
        "heights": [],  # their heights
        "header_height": 0.0,
        "done": False,
        "make_table": make_table,
        "widths_for": widths_for,
    }
    return _paged_table_class()(state)


@functools.cache
def _paged_table_class():
    from reportlab.platypus import Flowable

    class PagedTable(Flowable):
        """A table laid out one page at a time.

        A platypus Table of every row keeps all of them, and a Paragraph per cell, in
        memory until the end, and measures the remaining rows again at each page
        break. Here the rows come from the spool a few at a time; each is measured
        once (ReportLab's Table computes the height of each row on its own, from its
        cells and the column widths), and each page gets a Table of the header and
        the rows that fit, with their heights given. Column widths are the same on
        every page, computed once as ReportLab computes them for a whole table (from
        each column's widest word, see PDFWriter), so the pages read as one Table
        split by ReportLab: the header on every page, the totals row (a row like the
        others, the last) under its rule.

        It is never drawn itself: `wrap` always asks to be split, and `split`
        returns the next page's Table and, for the rest, a new PagedTable on the same
        state (so ReportLab's "postponed" mark on one page never carries over).
        """

        def __init__(self, state: dict[str, Any]) -> None:
            super().__init__()
            self.state = state

        def wrap(self, avail_width, avail_height):
            # Always too tall: the frame then calls split(), which returns real Tables.
            return avail_width, avail_height + 1

        def split(self, avail_width, avail_height):
            state = self.state
            widths = state["widths_for"](avail_width)
            if not state["window"] and not self._more(widths):
                return []
            # ReportLab's own rule (Table._getFirstPossibleSplitRowPosition): rows fit
            # while their heights, the header's included, add up to no more than the space.
            used, rows = state["header_height"], 0
            if used > avail_height:
                return []
            while True:
                heights = state["heights"]
                while rows < len(heights) and used + heights[rows] <= avail_height:
                    used += heights[rows]
                    rows += 1
                if rows < len(heights) or state["done"] or not self._more(widths):
                    break
            if rows == 0:
                return []  # not even one row here: the next page
            window, heights = state["window"], state["heights"]
            part = state["make_table"](window[:rows], widths, [state["header_height"], *heights[:rows]])
            state["window"], state["heights"] = window[rows:], heights[rows:]
            if not state["window"] and state["done"]:
                return [part]  # the last rows (and the totals)
            return [part, PagedTable(state)]

        def _more(self, widths: list[float]) -> bool:
            """Read and measure the next rows; False when there are none."""
            state = self.state
            batch = []
            while len(batch) < PDF_MEASURE_ROWS:
                row = next(state["rows"], None)
                if row is None:
                    state["done"] = True
                    break
                batch.append(row)
            if not batch:
                return False
            # The heights ReportLab gives these rows (the header's first) at these widths.
            table = state["make_table"](batch, widths, None)
            table.wrap(sum(widths), 1_000_000)
            state["header_height"], *heights = table._rowHeights
            state["window"].extend(batch)
            state["heights"].extend(heights)
            return True

    return PagedTable


class PDFWriter(BaseWriter):
    """A ReportLab document: the markings (TLP in FIRST's colours, handling code,
    classification) in the header and footer of every page, "Page X of N", title,
    period, a chart, and a table with numbers right-aligned and a totals row.

    Memory does not grow with the rows: the rows shown wait in a temporary file
    (the chart and totals come first in the document and need every row), the
    table is laid out a page at a time (_paged_table), and a finished page is held
    only as its compressed stream ("Page X of N" through forms defined at the end).
    What still grows with the pages (a few KB each) is bounded by REPORTS_PDF_MAX_ROWS.
    """

    def __init__(self, path: Path, meta: ReportMeta) -> None:
        super().__init__(path, meta)
        self.max_rows = int(getattr(settings, "REPORTS_PDF_MAX_ROWS", 2000))
        self.shown = _RowSpool(path.parent)
        self.numeric: set[int] = set()
        # Totals of every row, also those beyond the rows the PDF shows.
        self.totals: dict[int, Decimal] = {i: Decimal(0) for i in meta.totalled_columns}

    def write(self, row: list[Any]) -> None:
        self.rows += 1
        for i, value in enumerate(row):
            if _is_number(value):
                self.numeric.add(i)
                if i in self.totals:
                    self.totals[i] += Decimal(str(value))
        if self.shown.count < self.max_rows:
            self.shown.append([self._text(i, v) for i, v in enumerate(row)])

    def widest_words(self, font: str) -> list[str]:
        """Per column, the widest word of the rows shown: ReportLab sizes the columns of a
        table of paragraphs by it (Table._calcPreliminaryWidths). Read from the spool."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        widest: list[tuple[float, str]] = [(0.0, "")] * len(self.meta.columns)
        known: dict[str, float] = {}
        for cells in self.shown:
            if len(known) > 1000:  # a cache of the frequent words (units, substances, labels), kept small
                known.clear()
            for i, text in enumerate(cells):
                for word in text.split():
                    width = known.get(word)
                    if width is None:
                        width = known[word] = stringWidth(word, font, PDF_CELL_FONT_SIZE)
                    if width > widest[i][0]:
                        widest[i] = (width, word)
        return [word for _width, word in widest]

    def _text(self, index: int, value: Any) -> str:
        if value is None and index in self.meta.weight_columns:
            return _("no weight (counted in units)")
        return _cell(value)

    def totals_row(self) -> list[str] | None:
        """The totals row's cells ("Total" in the first column), or None if nothing adds up."""
        if not self.totals or not self.rows:
            return None
        cells = [""] * len(self.meta.columns)
        for i, total in self.totals.items():
            cells[i] = _cell(total.quantize(Decimal("0.001")) if i in self.meta.weight_columns else total)
        cells[0] = _("Total")
        return cells

    def _chart(self, font: str):
        from reportlab.graphics.charts.barcharts import HorizontalBarChart
        from reportlab.graphics.shapes import Drawing, String
        from reportlab.lib import colors

        points = sorted(self.meta.chart.items(), key=lambda kv: kv[1], reverse=True)[:12]
        height = 40 + 18 * max(len(points), 1)
        drawing = Drawing(480, height)
        drawing.add(String(0, height - 12, self.meta.chart_title, fontName=font, fontSize=10))
        if not points:
            drawing.add(String(0, height - 30, _("No data in this period."), fontName=font, fontSize=9))
            return drawing
        chart = HorizontalBarChart()
        chart.x, chart.y = 160, 10
        chart.width, chart.height = 300, height - 40
        chart.data = [[round(v, 3) for _label, v in reversed(points)]]
        chart.categoryAxis.categoryNames = [label[:28] for label, _v in reversed(points)]
        chart.categoryAxis.labels.fontName = font
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = font
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.bars[0].fillColor = colors.HexColor("#0d6efd")
        drawing.add(chart)
        return drawing

    def close(self) -> None:
        try:
            self._build()
        finally:
            self.shown.close()
        # ReportLab's document, canvas and frames refer to one another: freed only by
        # the cycle collector, which may not run before the task's next steps.
        gc.collect()

    def _build(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

        # Registered only now: the fonts' metrics are not held while the rows are read.
        font, bold = _pdf_fonts()
        meta = self.meta
        fill, ink = TLP_COLOURS.get(meta.tlp, ("#E9ECEF", "#000000"))
        pagesize = landscape(A4)

        def banner(canvas, doc):
            # The markings at the top and bottom of every page, as TLP 2.0 asks: FIRST's
            # colour on black; "Page X of N" is added by the canvas when N is known.
            canvas.saveState()
            width, height = pagesize
            for y in (height - 12 * mm, 6 * mm):
                canvas.setFillColor(colors.black)
                canvas.rect(10 * mm, y, width - 20 * mm, 7 * mm, fill=1, stroke=0)
                canvas.setFillColor(colors.HexColor(fill))
                canvas.setFont(bold, 10)
                canvas.drawCentredString(width / 2, y + 2 * mm, meta.marking_text)
            canvas.restoreState()

        doc = SimpleDocTemplate(
            str(self.path),
            pagesize=pagesize,
            topMargin=20 * mm,
            bottomMargin=18 * mm,
            leftMargin=10 * mm,
            rightMargin=10 * mm,
            title=meta.title,
            author="CARICC Portal",
            subject=meta.marking_text,
        )
        h1 = ParagraphStyle("h1", fontName=bold, fontSize=16, leading=20, spaceAfter=6)
        body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
        cell = ParagraphStyle("cell", fontName=font, fontSize=PDF_CELL_FONT_SIZE, leading=9)
        number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
        total_style = ParagraphStyle("total", parent=number, fontName=bold)
        total_label = ParagraphStyle("t0", parent=cell, fontName=bold)
        facts = [
            (_("Period"), meta.period),
            (_("Generated at"), meta.generated_text),
            (_("Requested by"), f"{meta.requested_by} · {meta.reference}"),
            (_("Markings"), meta.marking_text),
        ]
        story = [
            Paragraph(escape(meta.title), h1),
            *[Paragraph(escape(f"{label}: {value}"), body) for label, value in facts],
            Spacer(1, 4 * mm),
            self._chart(font),
            Spacer(1, 4 * mm),
        ]
        if self.rows > self.shown.count:
            story.append(
                Paragraph(
                    _("%(shown)d of %(total)d rows shown; the CSV and XLSX formats carry every row.")
                    % {"shown": self.shown.count, "total": self.rows},
                    body,
                )
            )

        styles = [number if i in self.numeric or i in meta.weight_columns else cell for i in range(len(meta.columns))]

        def paragraphs(texts: list[str]) -> list[Any]:
            return [Paragraph(escape(str(c)), styles[i]) for i, c in enumerate(texts)]

        header = paragraphs(meta.columns)
        totals = self.totals_row()
        totals_cells = (
            [Paragraph(escape(c), total_style if i else total_label) for i, c in enumerate(totals)] if totals else None
        )
        grid = [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DEE2E6")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        plain_style = TableStyle(grid)
        last_style = TableStyle([*grid, ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black)] if totals else grid)
        widths: dict[float, list[float]] = {}

        def widths_for(avail_width: float) -> list[float]:
            # ReportLab sizes the columns of a table of paragraphs from each column's
            # widest word (Table._calcPreliminaryWidths, on every row): a table of the
            # header, one row of those words and the totals gets the same widths.
            if avail_width not in widths:
                probe = [header, paragraphs(self.widest_words(font))]
                if totals_cells:
                    probe.append(totals_cells)
                table = Table(probe)
                table.wrap(avail_width, 1_000_000)
                widths[avail_width] = list(table._colWidths)
            return widths[avail_width]

        def make_table(rows: list[Any], col_widths, row_heights):
            table = Table([header, *rows], colWidths=col_widths, rowHeights=row_heights, repeatRows=1)
            table.setStyle(last_style if rows[-1] is totals_cells else plain_style)
            return table

        def table_rows() -> Iterator[list[Any]]:
            for texts in self.shown:
                yield paragraphs(texts)
            if totals_cells:
                yield totals_cells

        if not self.shown.count:
            story.append(Paragraph(_("No rows."), body))
        else:
            story.append(_paged_table(table_rows(), make_table, widths_for))
        doc.build(
            story,
            onFirstPage=banner,
            onLaterPages=banner,
            canvasmaker=_numbered_canvas(font, ink, pagesize),
        )


WRITERS: dict[str, type[BaseWriter]] = {"csv": CSVWriter, "xlsx": XLSXWriter, "pdf": PDFWriter}
