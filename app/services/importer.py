"""Importing beneficiaries from the spreadsheets teams keep today (CSV or XLSX).

Every row is checked before anything is written, and the import is one transaction:
either every valid row lands or none does. A row whose CIN is already known updates
that beneficiary instead of creating a duplicate. Messages give a line, a column and a
reason, never the row's personal values: they end up on screens, terminals and logs.
The columns are documented in ``docs/import-format.md``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Beneficiary, Facility
from app.models.enums import LegalStatus, Sex
from app.services.beneficiaries import BeneficiaryFields, NewBeneficiary
from app.services.context import ServiceContext
from app.services.import_rows import ImportFileError, SheetRow, read_rows
from app.services.validation import message_for
from app.store.textfold import fold

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "import_beneficiaries",
    "read_rows",
]

REQUIRED_COLUMNS = ("last_name", "first_name")
_TEXT_COLUMNS = (
    "last_name", "first_name", "last_name_ar", "first_name_ar", "cin", "registration_number",
    "phone", "address", "contact_person", "contact_phone",
)  # fmt: skip
_DATE_COLUMNS = ("birth_date", "expected_release_date", "intake_date")
COLUMNS = frozenset((*_TEXT_COLUMNS, *_DATE_COLUMNS, "sex", "facility", "legal_status"))
_FACILITY_NAME_MAX = 200
_LOOKUP_CHUNK = 500
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def _key(text: str) -> str:
    """Case, accents, spacing, hyphens and underscores do not distinguish two labels."""
    return " ".join(fold(text).replace("_", " ").replace("-", " ").split())


_SEXES = {_key(label): sex for sex, labels in {
    Sex.FEMALE: ("F", "femme", "female", "féminin", "أنثى"),
    Sex.MALE: ("M", "H", "homme", "male", "masculin", "ذكر"),
}.items() for label in labels}  # fmt: skip
_LEGAL_STATUSES = {_key(label): status for status, labels in {
    LegalStatus.PRE_TRIAL: ("pre_trial", "pre-trial", "prévenu", "prévenue"),
    LegalStatus.SENTENCED: ("sentenced", "condamné", "condamnée"),
    LegalStatus.CONDITIONAL_RELEASE: (
        "conditional_release", "conditional release", "libération conditionnelle",
    ),
    LegalStatus.RELEASED: ("released", "libéré", "libérée"),
}.items() for label in labels}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    """What is wrong where: ``column`` is None when the row as a whole is at fault."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column is None:
            return _("Line {line}: {message}").format(line=self.line, message=self.message)
        return _("Line {line}, column {column}: {message}").format(
            line=self.line, column=self.column, message=self.message
        )


@dataclass
class ImportReport:
    """What the import did, or would do: counts describe the valid rows either way.

    ``applied`` says whether they were written; ``skipped`` counts the invalid rows.
    """

    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_facilities: list[str] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False


@dataclass
class _Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    facility: str | None = None
    cin: str | None = None
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))


def import_beneficiaries(
    ctx: ServiceContext, path: Path, *, dry_run: bool = False, skip_invalid: bool = False
) -> ImportReport:
    """Create or update (by CIN) one beneficiary per row; raises ImportFileError only."""
    header, sheet_rows = read_rows(path)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: {columns}.").format(columns=", ".join(missing))
        )
    report = ImportReport(dry_run=dry_run)
    for name in header:
        if name and name not in COLUMNS:
            report.warnings.append(_("Unknown column “{column}” ignored.").format(column=name))
    rows = _parse_rows(sheet_rows)
    with ctx.reading() if dry_run else ctx.transaction() as session:
        existing = _existing_by_cin(session, list(dict.fromkeys(r.cin for r in rows if r.cin)))
        facilities = _FacilityResolver(session)
        creates: list[Beneficiary] = []
        updates: list[tuple[Beneficiary, dict[str, Any]]] = []
        for row in rows:
            facility = facilities.resolve(row)
            target = existing.get(row.cin) if row.cin else None
            fields = _validate(row, BeneficiaryFields if target else NewBeneficiary, facility)
            if fields is None:
                continue
            if facility is not None:
                facilities.use(facility)
            if target is not None:
                updates.append((target, fields.model_dump(exclude_unset=True)))
            else:
                creates.append(_new_beneficiary(ctx, fields))
        report.errors = [error for row in rows for error in row.errors]
        report.skipped = sum(1 for row in rows if row.errors)
        report.created, report.updated = len(creates), len(updates)
        report.new_facilities = [facility.name for facility in facilities.used_new]
        report.applied = not dry_run and (skip_invalid or not report.errors)
        if report.applied:
            session.add_all(facilities.used_new)
            session.add_all(creates)
            for beneficiary, changes in updates:
                for name, value in changes.items():
                    setattr(beneficiary, name, value)
    return report


def _parse_rows(sheet_rows: Iterable[SheetRow]) -> list[_Row]:
    """Cells to Python values, and CINs checked for repeats, before touching the database."""
    rows: list[_Row] = []
    first_line_of_cin: dict[str, int] = {}
    for sheet_row in sheet_rows:
        row = _parse_cells(sheet_row)
        if row.cin is not None:
            first = first_line_of_cin.setdefault(row.cin, row.line)
            if first != row.line:
                row.error("cin", _("This CIN already appears on line {line}.").format(line=first))
        rows.append(row)
    return rows


def _parse_cells(sheet_row: SheetRow) -> _Row:
    row = _Row(sheet_row.line)
    if sheet_row.stray_cells:
        row.error(None, _("This line has values in a column without a header."))
    for column, cell in sheet_row.values.items():
        if column in _DATE_COLUMNS:
            parsed = _date(cell)
            if parsed is None:
                row.error(column, _("Not a valid date (expected YYYY-MM-DD)."))
            else:
                row.values[column] = parsed
        elif column == "sex":
            _choose(row, column, _text(cell), _SEXES, Sex)
        elif column == "legal_status":
            _choose(row, column, _text(cell), _LEGAL_STATUSES, LegalStatus)
        elif column == "facility":
            row.facility = " ".join(_text(cell).split())
        elif column in _TEXT_COLUMNS:
            row.values[column] = _text(cell)
    if "cin" in row.values:
        try:
            row.cin = BeneficiaryFields.model_validate({"cin": row.values["cin"]}).cin
        except ValidationError as error:
            row.error("cin", message_for(error.errors()[0]))
            del row.values["cin"]
    return row


def _choose(
    row: _Row, column: str, text: str, labels: Mapping[str, StrEnum], choices: type[StrEnum]
) -> None:
    value = labels.get(_key(text))
    if value is None:
        row.error(
            column,
            _("Unknown value; expected one of: {choices}.").format(
                choices=", ".join(member.value for member in choices)
            ),
        )
    else:
        row.values[column] = value


def _text(cell: object) -> str:
    """Spreadsheets turn digit-only identifiers into numbers: give them back as digits."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):  # datetime included
        return cell.isoformat()
    return str(cell).strip()


def _date(cell: object) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, str):
        match = _ISO_DATE.fullmatch(cell.strip())
        if match:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                return None
    return None


def _validate(
    row: _Row, model: type[BeneficiaryFields], facility: Facility | None
) -> BeneficiaryFields | None:
    """The row's fields, or None when the row has errors (now recorded on it)."""
    data = dict(row.values)
    if facility is not None:
        data["facility_id"] = facility.id
    try:
        fields = model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            column = str(detail["loc"][0]) if detail["loc"] else None
            row.error("facility" if column == "facility_id" else column, message_for(detail))
        return None
    return None if row.errors else fields


def _new_beneficiary(ctx: ServiceContext, fields: BeneficiaryFields) -> Beneficiary:
    """Assigned to the acting staff member and team, as ``beneficiaries.register`` does."""
    values = fields.model_dump(exclude_none=True)
    values.setdefault("assigned_staff_id", ctx.actor.staff_id)
    values.setdefault("intake_date", ctx.today())
    return Beneficiary(team_id=ctx.actor.team_id, **values)


def _existing_by_cin(session: Session, cins: list[str]) -> dict[str, Beneficiary]:
    """Live beneficiaries holding these CINs, fetched in a few queries rather than per row."""
    found: dict[str, Beneficiary] = {}
    for start in range(0, len(cins), _LOOKUP_CHUNK):
        chunk = cins[start : start + _LOOKUP_CHUNK]
        query = select(Beneficiary).where(
            Beneficiary.cin.in_(chunk), Beneficiary.deleted_at.is_(None)
        )
        for beneficiary in session.scalars(query):
            if beneficiary.cin is not None:
                found[beneficiary.cin] = beneficiary
    return found


class _FacilityResolver:
    """Facility cells matched by code or name, ignoring case and accents.

    An unknown name becomes a new facility, created only if a valid row refers to it.
    """

    def __init__(self, session: Session) -> None:
        self._by_key: dict[str, Facility] = {}
        for facility in session.scalars(select(Facility).where(Facility.deleted_at.is_(None))):
            for label in (facility.code, facility.name, facility.name_ar):
                if label:
                    self._by_key.setdefault(_key(label), facility)
        self._new: dict[str, Facility] = {}
        self._used_ids: set[uuid.UUID] = set()
        self.used_new: list[Facility] = []

    def resolve(self, row: _Row) -> Facility | None:
        if not row.facility:
            return None
        key = _key(row.facility)
        facility = self._by_key.get(key) or self._new.get(key)
        if facility is not None:
            return facility
        if len(row.facility) > _FACILITY_NAME_MAX:
            row.error(
                "facility",
                _("Too long (at most {limit} characters).").format(limit=_FACILITY_NAME_MAX),
            )
            return None
        facility = Facility(id=uuid.uuid4(), code=_facility_code(row.facility), name=row.facility)
        self._new[key] = facility
        return facility

    def use(self, facility: Facility) -> None:
        """A valid row refers to it: a new facility will then be created."""
        if facility.id in self._used_ids:
            return
        self._used_ids.add(facility.id)
        if self._new.get(_key(facility.name)) is facility:
            self.used_new.append(facility)


def _facility_code(name: str) -> str:
    letters = "".join(ch for ch in fold(name).upper() if ch.isascii() and ch.isalnum())
    return f"{letters[:8] or 'FAC'}-{uuid.uuid4().hex[:6]}"
