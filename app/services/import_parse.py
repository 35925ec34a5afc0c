"""From the cells of a table and a mapping to the values a beneficiary will hold.

No database here: the app's preview shows these values before anything is checked
against the profile, and :mod:`app.services.importer` adds what only the profile knows
(existing CINs, facilities). Errors name a line, the file's column and a reason, never
the cell's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from app.i18n import _
from app.services.beneficiaries import BeneficiaryFields
from app.services.import_fields import (
    FIELDS_BY_NAME,
    LEGAL_STATUSES,
    SEXES,
    InCustody,
    Kind,
    label_key,
)
from app.services.import_rows import SheetRow, Table
from app.services.import_values import (
    CellError,
    DateReader,
    cin,
    clean_text,
    day_month_pairs,
    infer_order,
)
from app.services.import_values import identifier as identifier_text
from app.services.validation import message_for
from passerelle_core.enums import LegalStatus, Sex

_FACILITY_NAME_MAX = 200
AsNew = tuple[list[tuple[str | None, str]], dict[str, Any] | None, tuple[str, str, str] | None]
"""(errors as (field, message), the fields set and their search index texts when there
are none): a row checked as new, its facility aside (a facility's id, known to be a
valid UUID, changes nothing)."""


@dataclass(frozen=True)
class RowError:
    """What is wrong where: ``column`` (the file's label) is None for the whole row."""

    line: int
    column: str | None
    message: str
    field: str | None = field(default=None, compare=False)  # for the preview's cell marks

    def __str__(self) -> str:
        if self.column is None:
            return _("Line {line}: {message}").format(line=self.line, message=self.message)
        return _("Line {line}, column {column}: {message}").format(
            line=self.line, column=self.column, message=self.message
        )


@dataclass
class ParsedRow:
    """One row read: ``values`` by field name, the original ``cells`` kept for the report."""

    line: int
    cells: tuple[object, ...]
    values: dict[str, Any] = field(default_factory=dict)
    facility: str | None = None
    cin: str | None = None
    errors: list[RowError] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # field -> the file's column
    as_new: AsNew | None = field(default=None, compare=False, repr=False)
    identity: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)
    """Its identity's normalised fields, if worked out (duplicates)."""
    identity_keys: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)
    """Its identity's blocking keys, if worked out with :attr:`identity`."""
    """Its values checked as a new beneficiary's, if done (:mod:`app.services.import_check`)."""

    def error(self, field_name: str | None, message: str) -> None:
        column = None if field_name is None else self.labels.get(field_name, field_name)
        self.errors.append(RowError(self.line, column, message, field_name))


def parse_table(
    table: Table, mapping: Mapping[str, str | None], today: date, limit: int | None = None
) -> list[ParsedRow]:
    """Every row (or the first ``limit``), read with one date order for the whole file."""
    return TableParser(table, mapping, today).rows(table.rows[:limit])


def field_labels(table: Table, mapping: Mapping[str, str | None]) -> dict[str, str]:
    """Each mapped field -> the file's column it is read from (:attr:`ParsedRow.labels`)."""
    return {
        str(mapping[label]): label
        for label in table.labels
        if label and mapping.get(label) is not None
    }


class TableParser:
    """Reads the rows of one table, in order, a batch at a time (a large import writes
    each batch while the next is read). A CIN already seen on an earlier line is an error.
    """

    def __init__(self, table: Table, mapping: Mapping[str, str | None], today: date) -> None:
        self.all_labels = table.labels
        self.columns = columns = [
            (index, label, mapping.get(label))
            for index, label in enumerate(table.labels)
            if label and mapping.get(label) is not None
        ]
        date_indexes = [i for i, _l, f in columns if FIELDS_BY_NAME[str(f)].kind is Kind.DATE]
        order = infer_order(
            day_month_pairs(
                row.cells[i] for row in table.rows for i in date_indexes if i < len(row.cells)
            )
        )
        self.reader = DateReader(order, today)
        self.labels = field_labels(table, mapping)
        self.first_line_of_cin: dict[str, int] = {}

    def rows(self, sheet_rows: Iterable[SheetRow]) -> list[ParsedRow]:
        rows: list[ParsedRow] = []
        first_line_of_cin = self.first_line_of_cin
        for sheet_row in sheet_rows:
            row = _parse_row(sheet_row, self.all_labels, self.columns, self.labels, self.reader)
            if row.cin is not None:
                first = first_line_of_cin.setdefault(row.cin, row.line)
                if first != row.line:
                    row.error(
                        "cin", _("This CIN already appears on line {line}.").format(line=first)
                    )
            rows.append(row)
        return rows


def _parse_row(
    sheet_row: SheetRow,
    all_labels: list[str],
    columns: list[tuple[int, str, str | None]],
    labels: dict[str, str],
    reader: DateReader,
) -> ParsedRow:
    row = ParsedRow(sheet_row.line, sheet_row.cells, labels=labels)
    if sheet_row.stray_cells(all_labels):
        row.error(None, _("This line has values in a column without a header."))
    for index, _label, field_name in columns:
        cell = sheet_row.cells[index] if index < len(sheet_row.cells) else None
        if cell is None or field_name is None:
            continue
        try:
            _read_cell(row, field_name, cell, reader)
        except CellError as error:
            row.error(field_name, str(error))
    if "cin" in row.values:
        try:
            row.cin = BeneficiaryFields.model_validate({"cin": row.values["cin"]}).cin
        except ValidationError as error:
            row.error("cin", message_for(error.errors()[0]))
            del row.values["cin"]
    return row


def _read_cell(row: ParsedRow, field_name: str, cell: object, reader: DateReader) -> None:
    kind = FIELDS_BY_NAME[field_name].kind
    if kind is Kind.DATE:
        row.values[field_name] = reader.read(cell, past_only=field_name == "birth_date")
    elif kind is Kind.SEX:
        row.values[field_name] = _choose(cell, SEXES, Sex)
    elif kind is Kind.LEGAL_STATUS:
        row.values[field_name] = _choose(cell, LEGAL_STATUSES, LegalStatus)
    elif kind is Kind.FACILITY:
        name = clean_text(cell)
        if len(name) > _FACILITY_NAME_MAX:
            raise CellError(
                _("Too long (at most {limit} characters).").format(limit=_FACILITY_NAME_MAX)
            )
        row.facility = name or None
    elif field_name == "cin":
        row.values[field_name] = cin(cell)
    elif kind in (Kind.IDENTIFIER, Kind.PHONE):
        row.values[field_name] = identifier_text(cell)
    else:
        row.values[field_name] = clean_text(cell)


def _choose(
    cell: object,
    choices: Mapping[str, Sex | LegalStatus | InCustody],
    accepted: type[Sex] | type[LegalStatus],
) -> Sex | LegalStatus | InCustody:
    value = choices.get(label_key(identifier_text(cell)))
    if value is None:
        raise CellError(
            _("Unknown value; expected one of: {choices}.").format(
                choices=", ".join(member.value for member in accepted)
            )
        )
    return value
