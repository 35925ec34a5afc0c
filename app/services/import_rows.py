"""Reading the rows of a CSV or XLSX spreadsheet, as a team keeps them today.

Only the shape is handled here (encodings, delimiters, where the header is, merged
cells, blank rows, line numbers); what the cells mean is the business of
:mod:`app.services.import_parse`. Files are read whole before anything is imported, so
a broken file is refused before any write.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from python_calamine import CalamineError, CalamineWorkbook

from app.i18n import _
from app.services.errors import ServiceError
from app.services.import_fields import ALIASES, label_key

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
_DELIMITERS = (",", ";", "\t")
_HEADER_SEARCH_ROWS = 20
_CODE_PAGES = {"cp1252": "Windows-1252", "cp1256": "Windows-1256"}


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported (unreadable, wrong type, bad header, empty)."""


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row under the header: ``line`` is the number the spreadsheet shows."""

    line: int
    cells: tuple[object, ...]  # by column position; blank cells are None

    def stray_cells(self, labels: list[str]) -> bool:
        """Values under no column name: usually an unquoted separator shifted the row."""
        return any(
            cell is not None and (index >= len(labels) or not labels[index])
            for index, cell in enumerate(self.cells)
        )


@dataclass(frozen=True)
class Table:
    """The header as the file writes it and the rows under it.

    ``labels`` are the header cells as shown (a repeated one gets " (2)"), "" for a
    blank one; ``encoding`` is what a CSV file was read as (None for XLSX).
    """

    labels: list[str]
    rows: list[SheetRow]
    header_line: int
    encoding: str | None = None
    delimiter: str | None = None


def read_table(path: Path) -> Table:
    """The header row (found below any title rows) and the non-blank rows below it."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        text, encoding = decode(_read_bytes(path))
        delimiter = _sniff_delimiter(text)
        return _table(_csv_records(text, delimiter), encoding, delimiter)
    if suffix == ".xlsx":
        return _table(_xlsx_records(path), None, None)
    raise ImportFileError(
        _("Unsupported file type “{suffix}”: use a .csv or .xlsx file.").format(
            suffix=path.suffix or "-"
        )
    )


def _table(records: list[list[object]], encoding: str | None, delimiter: str | None) -> Table:
    numbered: list[tuple[int, tuple[object, ...]]] = []
    for line, cells in enumerate(records, start=1):  # blank cells (None, spaces) made None
        kept = tuple(
            [None if cell is None or (isinstance(cell, str) and not cell.strip()) else cell
             for cell in cells]
        )  # fmt: skip
        if kept.count(None) < len(kept):  # a row with at least one cell filled
            numbered.append((line, kept))
    if not numbered:
        raise ImportFileError(_("The file is empty."))
    index = _header_index(numbered)
    header_line, header_cells = numbered[index]
    labels = _labels(header_cells)
    rows = [SheetRow(line, cells) for line, cells in numbered[index + 1 :]]
    if not rows:
        raise ImportFileError(_("The file has a header but no rows to import."))
    return Table(labels, rows, header_line, encoding, delimiter)


def _header_index(numbered: list[tuple[int, tuple[object, ...]]]) -> int:
    """The row that names the most known columns among the first ones with two labels.

    Title rows ("Liste des bénéficiaires – 2026", merged across the sheet) hold one
    distinct text and are passed over.
    """
    best, best_hits = None, 0
    for index, (_line, cells) in enumerate(numbered[:_HEADER_SEARCH_ROWS]):
        texts = {_header_text(cell) for cell in cells if cell is not None}
        if len(texts) < 2:
            continue
        hits = sum(1 for text in texts if label_key(text) in ALIASES)
        if best is None or hits > best_hits:
            best, best_hits = index, hits
    return 0 if best is None else best


def _labels(cells: tuple[object, ...]) -> list[str]:
    labels: list[str] = []
    seen: dict[str, int] = {}
    for cell in cells:
        text = "" if cell is None else " ".join(_header_text(cell).split())
        if text:
            key = label_key(text) or text
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                text = f"{text} ({seen[key]})"
        labels.append(text)
    while labels and not labels[-1]:
        labels.pop()
    return labels


def _header_text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            _("Cannot read the file: {reason}.").format(reason=error.strerror or error)
        ) from None


def _csv_records(text: str, delimiter: str) -> list[list[object]]:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [list(record) for record in reader]
    except csv.Error:
        raise ImportFileError(
            _("The CSV file is malformed (check quotes and separators).")
        ) from None


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding, as the import report states it.

    A byte-order mark decides; then UTF-8 if the bytes are valid UTF-8; then the
    Windows code page (1252 for French, 1256 for Arabic) that charset-normalizer finds
    the most coherent.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, "utf-8-sig"), "UTF-8 (BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=list(_CODE_PAGES)).best()
    if best is None or best.encoding not in _CODE_PAGES:
        raise ImportFileError(
            _(
                "The text encoding of this file could not be recognised: open it in Excel "
                "or LibreOffice and save it as “CSV UTF-8”."
            )
        )
    return str(best), _CODE_PAGES[best.encoding]


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file says it is {encoding} text but is not: save it again.").format(
                encoding=encoding.upper().replace("-SIG", "")
            )
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The separator repeated most on one of the first lines (French Excel uses ";")."""
    lines = [line for line in text.splitlines()[:_HEADER_SEARCH_ROWS] if line.strip()]
    counts = {d: max((line.count(d) for line in lines), default=0) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _xlsx_records(path: Path) -> list[list[object]]:
    """The first sheet, values only (cached results of formulas), dates as dates.

    Read by calamine (Rust): ten times faster than openpyxl on a large sheet, which
    decides the speed of a big import. Cells come back as openpyxl gave them: blank as
    None, whole numbers as ints (Excel stores every number as a float). A merged range
    reads as its top-left value in every cell it covers: a facility merged down a block
    of rows belongs to each of them.
    """
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except OSError as error:
        raise ImportFileError(
            _("Cannot read the file: {reason}.").format(reason=error.strerror or error)
        ) from None
    except (CalamineError, ValueError, TypeError):
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    try:
        if not workbook.sheet_names:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.get_sheet_by_index(0)
        records = [_xlsx_cells(row) for row in sheet.to_python(skip_empty_area=False)]
        for (min_row, min_col), (max_row, max_col) in sheet.merged_cell_ranges or ():
            _fill_merged(records, min_col + 1, min_row + 1, max_col + 1, max_row + 1)
        return records
    except (CalamineError, ValueError, TypeError, IndexError, OverflowError):
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    finally:
        workbook.close()


def _xlsx_cells(row: list[Any]) -> list[object]:
    """Trailing blanks dropped, "" as None, 12.0 as 12."""
    end = len(row)
    while end and row[end - 1] == "":
        end -= 1
    return [
        None if cell == "" else int(cell) if type(cell) is float and cell.is_integer() else cell
        for cell in row[:end]
    ]


def _fill_merged(
    records: list[list[object]], min_col: int, min_row: int, max_col: int, max_row: int
) -> None:
    if min_row > len(records):
        return
    top = records[min_row - 1]
    value = top[min_col - 1] if min_col <= len(top) else None
    for row in range(min_row - 1, min(max_row, len(records))):
        cells = records[row]
        cells.extend([None] * (max_col - len(cells)))
        for column in range(min_col - 1, max_col):
            cells[column] = value
