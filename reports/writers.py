"""File writers: CSV and XLSX (through core.exports, the portal's one spreadsheet path) and PDF (ReportLab).

Each writer takes rows one at a time and writes them to a local file, so memory
does not grow with the number of rows (the PDF keeps at most
REPORTS_PDF_MAX_ROWS rows: a table of 100,000 rows is no document anyone reads,
and the CSV and XLSX carry everything). Every text cell goes through
core.exports' formula neutralisation, the PDF's too.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
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
    """A canvas that writes "Page X of N" on every page once N is known (ReportLab draws
    pages one by one, so the pages are held until the document is saved)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.saveState()
                self.setFillColor(colors.HexColor(colour))
                self.setFont(font, 7)
                self.drawRightString(
                    pagesize[0] - 10 * mm,
                    14 * mm,
                    _("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total},
                )
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


class PDFWriter(BaseWriter):
    """A ReportLab document: the markings (TLP in FIRST's colours, handling code,
    classification) in the header and footer of every page, "Page X of N", title,
    period, a chart, and a table with numbers right-aligned and a totals row."""

    def __init__(self, path: Path, meta: ReportMeta) -> None:
        super().__init__(path, meta)
        self.max_rows = int(getattr(settings, "REPORTS_PDF_MAX_ROWS", 2000))
        self.table_rows: list[list[str]] = []
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
        if len(self.table_rows) < self.max_rows:
            self.table_rows.append([self._text(i, v) for i, v in enumerate(row)])

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
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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
        cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
        number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
        total_style = ParagraphStyle("total", parent=number, fontName=bold)
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
        if self.rows > len(self.table_rows):
            story.append(
                Paragraph(
                    _("%(shown)d of %(total)d rows shown; the CSV and XLSX formats carry every row.")
                    % {"shown": len(self.table_rows), "total": self.rows},
                    body,
                )
            )

        def style_of(i: int):
            return number if i in self.numeric or i in meta.weight_columns else cell

        data = [[Paragraph(escape(str(c)), style_of(i)) for i, c in enumerate(meta.columns)]]
        data += [[Paragraph(escape(c), style_of(i)) for i, c in enumerate(row)] for row in self.table_rows]
        totals = self.totals_row()
        if totals and len(data) > 1:
            data.append(
                [
                    Paragraph(escape(c), total_style if i else ParagraphStyle("t0", parent=cell, fontName=bold))
                    for i, c in enumerate(totals)
                ]
            )
        if len(data) == 1:
            story.append(Paragraph(_("No rows."), body))
        else:
            table = Table(data, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DEE2E6")),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        *([("LINEABOVE", (0, -1), (-1, -1), 1, colors.black)] if totals else []),
                    ]
                )
            )
            story.append(table)
        doc.build(
            story,
            onFirstPage=banner,
            onLaterPages=banner,
            canvasmaker=_numbered_canvas(font, ink, pagesize),
        )


WRITERS: dict[str, type[BaseWriter]] = {"csv": CSVWriter, "xlsx": XLSXWriter, "pdf": PDFWriter}
