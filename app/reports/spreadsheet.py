"""Writing a table to CSV or XLSX for the people and programs that open it.

CSV comes in two dialects. ``excel`` (the default) is what a double-click in Excel or
LibreOffice set to French (or Moroccan Arabic) reads into columns: ``;`` between
cells, a decimal comma, UTF-8 with a byte-order mark so that accents and Arabic are
read right. ``rfc`` is plain RFC 4180 for programs: ``,``, dot decimals, no BOM.

XLSX: the header row frozen and in bold, columns wide enough for their heading, months
and dates as real dates (a spreadsheet sorts and filters them), shares formatted as
percentages, the sheet right-to-left in Arabic, and an "About" sheet that says what the
file holds (period, scope, anonymisation). Rows are written one by one (openpyxl's
write-only mode): a 50,000-row case list is never held whole.

In both formats every text cell goes through :func:`passerelle_core.formulas.neutralise`:
a name typed as ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.reports.formats import CsvDialect
from passerelle_core.formulas import neutralise

Value = str | int | float | date | None


class Kind(StrEnum):
    """How a column's values are typed in a spreadsheet."""

    TEXT = "text"
    NUMBER = "number"
    MONTH = "month"
    """"YYYY-MM" text: the first day of the month in XLSX, shown as a month."""
    DATE = "date"


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: Iterable[Sequence[Value]]
    about: list[tuple[str, str]]
    kinds: Sequence[Kind] = ()
    """One per column (missing ones are text)."""
    shares: int | None = None
    """The column holding a fraction of 1 on rows whose ``share_flag`` column says so."""
    share_flag: tuple[int, str] | None = None
    widths: dict[int, float] = field(default_factory=dict)
    """Column widths (in characters) where the heading's length is not a good guess."""


def write_csv(table: Table, path: Path, dialect: CsvDialect) -> None:
    excel = dialect is CsvDialect.EXCEL
    encoding = "utf-8-sig" if excel else "utf-8"
    with open(path, "w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, delimiter=";" if excel else ",", lineterminator="\r\n")
        writer.writerow([neutralise(text) for text in table.header])
        for row in table.rows:
            writer.writerow([_csv_cell(value, excel) for value in row])


def _csv_cell(value: Value, excel: bool) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if excel else text
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def write_xlsx(table: Table, path: Path, *, rtl: bool, about_title: str) -> None:
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(table.title[:31])
    sheet.sheet_view.rightToLeft = rtl
    sheet.freeze_panes = "A2"
    kinds = list(table.kinds) + [Kind.TEXT] * (len(table.header) - len(table.kinds))
    for index, text in enumerate(table.header):
        width = table.widths.get(index) or min(max(len(text) * 1.1 + 2, 10.0), 40.0)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    header = []
    for text in table.header:
        cell = WriteOnlyCell(sheet, value=neutralise(text))
        cell.font, cell.alignment = bold, wrapped
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        share = (
            table.shares is not None
            and table.share_flag is not None
            and row[table.share_flag[0]] == table.share_flag[1]
        )
        cells = [
            _xlsx_cell(sheet, value, kinds[index], share and index == table.shares)
            for index, value in enumerate(row)
        ]
        sheet.append(cells)
    about: WriteOnlyWorksheet = workbook.create_sheet(about_title[:31])
    about.sheet_view.rightToLeft = rtl
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 90
    for label, text in table.about:
        about.append([_text_cell(about, label, bold), _text_cell(about, text, wrapped)])
    workbook.save(path)


def _text_cell(sheet: WriteOnlyWorksheet, text: str, style: Font | Alignment) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(text))
    cell.data_type = "s"
    if isinstance(style, Font):
        cell.font = style
    else:
        cell.alignment = style
    return cell


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value, kind: Kind, share: bool) -> Any:
    if value is None or value == "":
        return None  # no empty cells
    if share:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.0%"
        return cell
    if kind is Kind.MONTH and isinstance(value, str) and len(value) == 7:
        cell = WriteOnlyCell(sheet, value=date(int(value[:4]), int(value[5:7]), 1))
        cell.number_format = "mm/yyyy"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    return value
