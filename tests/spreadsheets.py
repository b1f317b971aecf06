"""Hostile cell values (OWASP CSV injection) and checks that an export carries none of them live."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from openpyxl import load_workbook

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
# A CSV cell that is a plain (negative) number is a number, not a formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?")

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    '=HYPERLINK("http://x","y")',
    "\t=1",
    "\r=1",
]


def csv_cells(content: bytes | str) -> list[list[str]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_csv_inert(content: bytes | str, hostile: Iterable[str] = HOSTILE) -> None:
    """No CSV cell starts with a formula character, and each hostile value is there, quote-prefixed."""
    cells = [cell for row in csv_cells(content) for cell in row]
    live = [c for c in cells if c.startswith(FORMULA_CHARS) and not NUMBER.fullmatch(c)]
    assert not live, f"live formulas in the CSV: {live!r}"
    for value in hostile:
        assert "'" + value in cells, f"{value!r} missing (or not quote-prefixed) in the CSV"


def assert_xlsx_inert(content: bytes, hostile: Iterable[str] = HOSTILE) -> None:
    """Every sheet: no formula cell, formula-like text is a quote-prefixed string, each hostile value present."""
    workbook = load_workbook(io.BytesIO(content))
    seen = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"live formula in {sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_CHARS):
                    assert cell.data_type == "s" and cell.quotePrefix, (
                        f"formula-like text not protected in {sheet.title}!{cell.coordinate}: {cell.value!r}"
                    )
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    # XML reads a bare carriage return back as a line feed ("\r=1" -> "\n=1"): still text, not a formula.
    missing = [v for v in hostile if v not in seen and v.replace("\r", "\n") not in seen]
    assert not missing, f"hostile values missing from the XLSX: {missing!r}"
