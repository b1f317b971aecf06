"""The one path every CSV and XLSX the portal writes goes through.

Writers take a header and an iterable of rows and never hold the rows in memory:
CSV is produced line by line (to a file, or as strings for a
StreamingHttpResponse); XLSX is written row by row straight into the sheet's zip
member (`XLSXWriter`, constant memory). Keep XLSX behind `XLSXWriter` alone.

Formula injection (OWASP "CSV Injection"): a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be run as a formula by
a spreadsheet program (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``). Every text
cell is neutralised here, whoever wrote it into the database:

* CSV has no cell types, so such a cell is prefixed with a single quote, which
  spreadsheet programs read as "this is text" (`neutralise`);
* XLSX has cell types: such a cell is written as an inline string cell (never a
  ``<f>`` formula) with the quote-prefix style, so Excel keeps it as text even when the
  cell is edited; the text itself is kept unchanged.

Numbers, dates and booleans are left as they are (a negative number is a
number, not a formula).
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise

# OWASP's list of characters that make a spreadsheet evaluate a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A byte-order mark first, so that spreadsheet programs read the CSV as UTF-8 (Cyrillic).
CSV_BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Small XLSX responses stay in memory, larger ones go to a temporary file.
XLSX_SPOOL_BYTES = 8 * 1024 * 1024


def is_formula_like(value: Any) -> bool:
    """Whether `value` is text a spreadsheet would evaluate as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """`value`, with formula-like text made inert by a leading single quote (CSV, PDF).

    Lazy translations become text; anything that is not text is returned as is.
    """
    if isinstance(value, Promise):
        value = str(value)
    if is_formula_like(value):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write() returns what it is given (csv.writer -> strings)."""

    def write(self, value: str) -> str:
        return value


class CSVWriter:
    """CSV rows with every text cell neutralised.

    With `fh` (a text file opened with newline=""), rows are written to it;
    without, `writerow` returns each line as a string, for streaming.
    """

    def __init__(self, fh: IO[str] | None = None) -> None:
        self._writer = csv.writer(fh if fh is not None else _Echo())

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(["" if v is None else neutralise(v) for v in row])


def csv_lines(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV document as strings: byte-order mark and header first, then one line per row."""
    writer = CSVWriter()
    yield CSV_BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def write_csv(path: Path, header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> int:
    """Write a CSV file (UTF-8 with a BOM); return the number of data rows."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = CSVWriter(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# Text as XML: the three markup characters, and the control characters XML 1.0
# forbids as the OOXML escape _xHHHH_ (Excel and LibreOffice decode it). A carriage
# return is written as is and reads back as a line feed, as openpyxl wrote it.
_XML_TEXT = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{chr(c): f"_x{c:04X}_" for c in (*range(0, 9), 11, 12, *range(14, 32))},
    }
)
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Cell styles of styles.xml below: 1 quote prefix (text that must stay text), 2 date-time, 3 date,
# 4-6 numbers with thousands separators (whole, 2 and 3 decimals), 7 a column header (bold on
# grey), 8-11 a TLP marking in FIRST's colours (bold coloured text on black).
_QUOTE, _DATETIME, _DATE, _INT, _DEC2, _DEC3, _HEADER = 1, 2, 3, 4, 5, 6, 7
# FIRST TLP 2.0 colours (text on black): https://www.first.org/tlp/ "Colour-coding TLP".
TLP_FONT_COLOURS = {"RED": "FF2B2B", "AMBER": "FFC000", "AMBER+STRICT": "FFC000", "GREEN": "33FF00", "CLEAR": "FFFFFF"}
_TLP_STYLES = {"RED": 8, "AMBER": 9, "AMBER+STRICT": 9, "GREEN": 10, "CLEAR": 11}
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f"{_XML}<styleSheet {_NS}>"
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/><numFmt numFmtId="166" formatCode="#,##0.000"/></numFmts>'
    '<fonts count="6"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFF2B2B"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFC000"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FF33FF00"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF000000"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="12"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="3" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    + "".join(
        f'<xf numFmtId="0" fontId="{font}" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
        for font in (2, 3, 4, 5)
    )
    + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _number_style(value: float | Decimal) -> int:
    """Thousands separators and the decimals the value carries: 3 for kg (Decimal
    quantized to 0.001), 2 for money and other fractions, none for whole Decimals."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int):
            return _DEC3 if exponent <= -3 else _DEC2 if exponent < 0 else _INT
    return _DEC2


def _excel_serial(value: datetime) -> float:
    """Days since Excel's epoch; an aware time is written as its wall-clock time."""
    return (value.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400


class XLSXWriter:
    """A workbook written row by row in constant memory: each sheet's XML goes straight
    into its zip member as the rows come (inline strings, no shared-string table).

    `add_sheet` starts a sheet (later rows go to it), `writerow` appends a row,
    `save` writes the workbook to a path or a binary file object.

    openpyxl's write-only mode cost 14-19 s of CPU for 100,000 rows of 13 cells and
    XlsxWriter's constant-memory mode about as much (both build an object or make
    several calls per cell); one formatted string per cell costs a fraction of
    that (docs/performance.md). Text is always text: never a formula, a number or
    a link; formula-like text gets the quote-prefix style.
    """

    def __init__(self) -> None:
        self._file = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 - save() removes it
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles: list[str] = []
        self._sheet: IO[str] | None = None
        self._footer = ""
        self._row = 0

    def add_sheet(
        self,
        title: str,
        header: Sequence[Any] | None = None,
        *,
        widths: Sequence[float] | None = None,
        freeze_header: bool = False,
        marking: str = "",
        tlp: str = "",
    ) -> None:
        """Start a sheet. `header`: its first row, bold on grey. `widths`: column widths
        in characters (None: as wide as each header, at least 10). `freeze_header`: the
        header row stays in view while scrolling. `marking` (with `tlp`): printed in the
        page header and footer of every printed page, in the TLP's FIRST colour."""
        self._end_sheet()
        # Sheet titles are limited to 31 characters and may not hold []:*?/\.
        self._titles.append(str(title)[:31])
        member = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True)
        self._sheet = io.TextIOWrapper(member, encoding="utf-8", newline="")
        parts = [f"{_XML}<worksheet {_NS} {_REL_NS}>"]
        if freeze_header and header is not None:
            parts.append(
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
                ' state="frozen"/></sheetView></sheetViews>'
            )
        if widths is None and header is not None:
            widths = [min(max(len(str(h)) + 4, 10), 60) for h in header]
        if widths:
            parts.append(
                "<cols>"
                + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
                + "</cols>"
            )
        parts.append("<sheetData>")
        self._sheet.write("".join(parts))
        self._footer = ""
        if marking:
            # Header/footer codes: &C centre, &B bold, &K colour; "&" itself is written "&&".
            colour = TLP_FONT_COLOURS.get(tlp.upper(), "000000")
            text = f"&C&B&K{colour}{str(marking).replace('&', '&&')}"
            self._footer = (
                f"<headerFooter><oddHeader>{escape(text)}</oddHeader><oddFooter>{escape(text)}</oddFooter>"
                "</headerFooter>"
            )
        self._row = 0
        if header is not None:
            self.writerow(header, style=_HEADER)

    def writerow(self, row: Iterable[Any], *, style: int | None = None) -> None:
        """Append a row. Numbers get thousands separators (whole, or 2 or 3 decimals as
        their Decimal has); `style` (e.g. a header or TLP style) is for the text cells."""
        if self._sheet is None:
            self.add_sheet("Sheet1")
        assert self._sheet is not None  # add_sheet opened it
        self._row += 1
        cells = [f'<row r="{self._row}">']
        append = cells.append
        for value in row:
            if isinstance(value, Promise):
                value = str(value)
            if value is None:
                append("<c/>")
            elif isinstance(value, str):
                s = f' s="{_QUOTE}"' if is_formula_like(value) else (f' s="{style}"' if style else "")
                append(f'<c t="inlineStr"{s}><is><t xml:space="preserve">{value.translate(_XML_TEXT)}</t></is></c>')
            elif isinstance(value, bool):
                append(f'<c t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int):
                append(f'<c s="{_INT}"><v>{value}</v></c>')
            elif isinstance(value, (float, Decimal)):
                number = float(value)
                if math.isfinite(number):
                    append(f'<c s="{_number_style(value)}"><v>{number!r}</v></c>')
                else:
                    append('<c t="e"><v>#NUM!</v></c>')
            elif isinstance(value, datetime):
                append(f'<c s="{_DATETIME}"><v>{_excel_serial(value)!r}</v></c>')
            elif isinstance(value, date):
                append(f'<c s="{_DATE}"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>')
            else:  # UUIDs, times...: their text
                text = str(value)
                s = f' s="{_QUOTE}"' if is_formula_like(text) else (f' s="{style}"' if style else "")
                append(f'<c t="inlineStr"{s}><is><t xml:space="preserve">{text.translate(_XML_TEXT)}</t></is></c>')
        append("</row>")
        self._sheet.write("".join(cells))

    def marking_row(self, text: str, tlp: str) -> None:
        """A row holding the marking alone, in the TLP's FIRST colour on black."""
        self.writerow([text], style=_TLP_STYLES.get(tlp.upper(), _HEADER))

    def _end_sheet(self) -> None:
        if self._sheet is not None:
            self._sheet.write(f"</sheetData>{self._footer}</worksheet>")
            self._sheet.close()
            self._sheet = None

    def _write_package(self) -> None:
        if not self._titles:
            self.add_sheet("Sheet1")
        self._end_sheet()
        n = len(self._titles)
        sheets = "".join(
            f'<sheet name="{escape(t, quote=True)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, t in enumerate(self._titles, start=1)
        )
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        parts = {
            "[Content_Types].xml": (
                f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{ct}.styles+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{ct}.worksheet+xml"/>'
                    for i in range(1, n + 1)
                )
                + "</Types>"
            ),
            "_rels/.rels": (
                f'{_XML}<Relationships xmlns="{pkg}">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": f"{_XML}<workbook {_NS} {_REL_NS}><sheets>{sheets}</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": (
                f'{_XML}<Relationships xmlns="{pkg}">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, n + 1)
                )
                + f'<Relationship Id="rId{n + 1}" Type="{rel}/styles" Target="styles.xml"/></Relationships>'
            ),
            "xl/styles.xml": _STYLES,
        }
        for name, text in parts.items():
            self._zip.writestr(name, text)
        self._zip.close()

    def save(self, target: str | Path | IO[bytes]) -> None:
        try:
            self._write_package()
            self._file.close()
            if isinstance(target, (str, Path)):
                shutil.copyfile(self._file.name, target)
            else:
                with open(self._file.name, "rb") as fh:
                    shutil.copyfileobj(fh, target)
        finally:
            Path(self._file.name).unlink(missing_ok=True)


def xlsx_file(header: Sequence[Any], rows: Iterable[Iterable[Any]], *, sheet_title: str) -> IO[bytes]:
    """A one-sheet workbook in a spooled temporary file, rewound for reading."""
    writer = XLSXWriter()
    writer.add_sheet(sheet_title, header)
    for row in rows:
        writer.writerow(row)
    out = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    writer.save(out)
    out.seek(0)
    return out


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A CSV download streamed as the rows are read."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    filename: str, header: Sequence[Any], rows: Iterable[Iterable[Any]], *, sheet_title: str
) -> FileResponse:
    """An XLSX download; FileResponse streams the spooled workbook out in blocks."""
    return FileResponse(
        xlsx_file(header, rows, sheet_title=sheet_title),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )
