"""What an import tells a coordinator: an honest summary, and the rejected rows to fix.

The summary says what was written, or what would be written, in words that cannot
contradict each other ("0 rows written" when nothing was). The rejected rows are saved
as a spreadsheet with the file's own columns and a reason column: corrected, it can be
imported again (the reason column is recognised and ignored).
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from app.i18n import _, ngettext
from app.services.import_rows import ImportFileError
from app.services.importer import ImportReport
from passerelle_core.formulas import cell as safe_cell
from passerelle_core.formulas import neutralise


def summary_lines(report: ImportReport) -> list[str]:
    """The summary, one sentence a line, the same for the CLI and the app."""
    lines: list[str] = []
    if report.encoding:
        lines.append(
            _("File read as {encoding}, header on line {line}.").format(
                encoding=report.encoding, line=report.header_line
            )
        )
    else:
        lines.append(_("Header on line {line}.").format(line=report.header_line))
    if report.applied:
        lines.append(
            ngettext(
                "{count} row written ({created} created, {updated} updated).",
                "{count} rows written ({created} created, {updated} updated).",
                report.valid,
            ).format(count=report.valid, created=report.created, updated=report.updated)
        )
    else:
        if not report.dry_run:
            lines.append(
                ngettext("{count} row written.", "{count} rows written.", 0).format(count=0)
            )
        lines.append(
            ngettext(
                "{count} row would be written ({created} to create, {updated} to update).",
                "{count} rows would be written ({created} to create, {updated} to update).",
                report.valid,
            ).format(count=report.valid, created=report.created, updated=report.updated)
        )
    errors = ngettext("{count} error", "{count} errors", len(report.errors)).format(
        count=len(report.errors)
    )
    lines.append(
        ngettext(
            "{count} row rejected ({errors}).", "{count} rows rejected ({errors}).", report.rejected
        ).format(count=report.rejected, errors=errors)
    )
    lines.append(_facilities_line(report))
    lines.extend(_duplicates_lines(report))
    if report.duplicates:
        count = len(report.duplicates)
        lines.append(
            ngettext(
                "{count} possible duplicate to check.",
                "{count} possible duplicates to check.",
                count,
            ).format(count=count)
        )
    if report.dry_run:
        lines.append(_("Dry run: nothing was written."))
    elif not report.applied:
        lines.append(
            _("Nothing was written: every row must be valid, or the invalid ones skipped.")
        )
    return lines


def _duplicates_lines(report: ImportReport) -> list[str]:
    """Likely duplicates left out or linked to the file they match, when asked."""
    lines = []
    if report.linked:
        if report.applied:
            text = ngettext(
                "{count} row completed the file it likely duplicates (empty fields only).",
                "{count} rows completed the file they likely duplicate (empty fields only).",
                report.linked,
            )
        else:
            text = ngettext(
                "{count} row would complete the file it likely duplicates (empty fields only).",
                "{count} rows would complete the file they likely duplicate (empty fields only).",
                report.linked,
            )
        lines.append(text.format(count=report.linked))
    if report.skipped:
        lines.append(
            ngettext(
                "{count} likely duplicate row skipped.",
                "{count} likely duplicate rows skipped.",
                report.skipped,
            ).format(count=report.skipped)
        )
    return lines


def _facilities_line(report: ImportReport) -> str:
    count = len(report.new_facilities)
    names = ", ".join(report.new_facilities)
    if report.applied:
        text = ngettext("{count} facility created", "{count} facilities created", count)
    else:
        text = ngettext(
            "{count} facility would be created", "{count} facilities would be created", count
        )
    text = text.format(count=count)
    return (_("{label}: {value}").format(label=text, value=names) if names else text) + "."


def reason_header() -> str:
    """The reason column's header, in the user's language (an alias the reader ignores)."""
    return _("Rejection reason")


def rejected_table(report: ImportReport) -> tuple[list[str], list[list[object]]]:
    """The file's header plus a reason column, and one row per rejected row."""
    width = len(report.labels)
    header = [*report.labels, reason_header()]
    rows = []
    for rejected in report.rejected_rows:
        cells = list(rejected.cells[:width]) + [None] * (width - len(rejected.cells))
        reasons = "; ".join(
            error.message
            if error.column is None
            else _("{label}: {value}").format(label=error.column, value=error.message)
            for error in rejected.reasons
        )
        rows.append([*cells, reasons])
    return header, rows


def save_rejected(report: ImportReport, path: Path) -> None:
    """An XLSX (or a CSV for French Excel, by the extension) of the rejected rows."""
    header, rows = rejected_table(report)
    try:
        if path.suffix.casefold() == ".csv":
            with path.open("w", encoding="utf-8-sig", newline="") as stream:
                writer = csv.writer(stream, delimiter=";")
                writer.writerow([neutralise(text) for text in header])
                for row in rows:
                    writer.writerow(["" if v is None else neutralise(_text(v)) for v in row])
            return
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([WriteOnlyCell(sheet, value=neutralise(text)) for text in header])
        for row in rows:
            sheet.append([WriteOnlyCell(sheet, value=safe_cell(value)) for value in row])
        workbook.save(path)
    except OSError as error:
        raise ImportFileError(
            _("Cannot write the file: {reason}.").format(reason=error.strerror or error)
        ) from None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
