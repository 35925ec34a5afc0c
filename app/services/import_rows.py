"""Reading the rows of a CSV or XLSX spreadsheet, as a team keeps them today.

Only the shape is handled here (encodings, delimiters, header, blank rows, line
numbers); what the cells mean is :mod:`app.services.importer`'s business. Files are
read whole before anything is imported, so a broken file is refused before any write.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.i18n import _
from app.services.errors import ServiceError

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
_DELIMITERS = (",", ";", "\t")


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported (unreadable, wrong type, bad header, empty)."""


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: ``line`` is the number the spreadsheet shows (header = 1)."""

    line: int
    values: dict[str, object]  # column name -> cell; blank cells are left out
    stray_cells: bool = False  # non-empty cells under no column name: a shifted row?


def normalise_header(name: str) -> str:
    """``" Last Name "`` and ``last-name`` both mean ``last_name``."""
    return "_".join(name.replace("-", " ").split()).casefold()


def read_rows(path: Path) -> tuple[list[str], Iterator[SheetRow]]:
    """The header (normalised names, blank ones as "") and the non-blank rows below it."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        records = _csv_records(path)
    elif suffix == ".xlsx":
        records = _xlsx_records(path)
    else:
        raise ImportFileError(
            _("Unsupported file type “{suffix}”: use a .csv or .xlsx file.").format(
                suffix=path.suffix or "-"
            )
        )
    return _table(records)


def _table(records: list[list[object]]) -> tuple[list[str], Iterator[SheetRow]]:
    numbered = [(line, cells) for line, cells in enumerate(records, start=1) if _filled(cells)]
    if not numbered:
        raise ImportFileError(_("The file is empty."))
    _header_line, header_cells = numbered[0]
    header = [normalise_header(_header_text(cell)) for cell in header_cells]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise ImportFileError(
                _("The column “{column}” appears twice in the header.").format(column=name)
            )
        seen.add(name)
    if len(numbered) == 1:
        raise ImportFileError(_("The file has a header but no rows to import."))
    return header, (_sheet_row(header, line, cells) for line, cells in numbered[1:])


def _sheet_row(header: list[str], line: int, cells: list[object]) -> SheetRow:
    values: dict[str, object] = {}
    stray = any(not _blank(cell) for cell in cells[len(header) :])
    for name, cell in zip(header, cells, strict=False):
        if not _blank(cell):
            if name:
                values[name] = cell
            else:
                stray = True
    return SheetRow(line, values, stray)


def _header_text(cell: object) -> str:
    return "" if cell is None else str(cell)


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _filled(cells: Iterable[object]) -> bool:
    return any(not _blank(cell) for cell in cells)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportFileError(
            _("Cannot read the file: {reason}.").format(reason=error.strerror or error)
        ) from None


def _csv_records(path: Path) -> list[list[object]]:
    text = _decode(_read_bytes(path))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
        return [list(record) for record in reader]
    except csv.Error:
        raise ImportFileError(
            _("The CSV file is malformed (check quotes and separators).")
        ) from None


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM; UTF-16 when a BOM says so (Excel's "Unicode text")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")
        ) from None


def _sniff_delimiter(text: str) -> str:
    """The separator used most on the header line (spreadsheets in French use ";")."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _xlsx_records(path: Path) -> list[list[object]]:
    """The first sheet, values only (cached results of formulas), dates as datetimes."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise ImportFileError(
            _("Cannot read the file: {reason}.").format(reason=error.strerror or error)
        ) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError):
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        # Some producers write a wrong <dimension>; read every row actually present.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        return [list(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError):
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    finally:
        workbook.close()
