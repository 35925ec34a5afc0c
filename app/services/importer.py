"""Importing beneficiaries from the spreadsheets teams keep today (CSV or XLSX).

Every row is checked before anything is written, and the import is one transaction:
either every valid row lands or none does. A row whose CIN is already known updates
that beneficiary instead of creating a duplicate. Messages give a line, a column and a
reason, never the row's personal values: they end up on screens, terminals and logs.
Reading the file is :mod:`app.services.import_rows`, choosing columns
:mod:`app.services.import_mapping`, reading cells :mod:`app.services.import_parse`.
The format is documented in ``docs/import-format.md``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Beneficiary, Facility
from app.services import (
    import_check,
    import_duplicates,
    import_gc,
    import_mapping,
    import_worker,
    import_write,
)
from app.services.beneficiaries import BeneficiaryFields, NewBeneficiary
from app.services.context import ServiceContext
from app.services.import_duplicates import Candidate, DuplicateAction, PossibleDuplicate
from app.services.import_fields import InCustody, label_key
from app.services.import_mapping import ColumnMapping
from app.services.import_parse import ParsedRow, RowError, TableParser, field_labels
from app.services.import_rows import ImportFileError, SheetRow, Table, read_table
from app.services.import_write import timed
from app.store.textfold import fold
from passerelle_core.enums import LegalStatus

__all__ = [
    "DuplicateAction",
    "ImportFileError",
    "ImportReport",
    "PossibleDuplicate",
    "RejectedRow",
    "RowError",
    "import_beneficiaries",
    "import_table",
    "known_facilities",
    "read_table",
]

_LOOKUP_CHUNK = 500
BATCH_ROWS = 2_000  # rows checked then written at a time
_CUSTODY = (LegalStatus.PRE_TRIAL, LegalStatus.SENTENCED)


@dataclass(frozen=True)
class RejectedRow:
    """An invalid row as the file had it, and why: the report saves these to correct."""

    line: int
    cells: tuple[object, ...]
    reasons: list[RowError]


@dataclass
class ImportReport:
    """What the import did, or would do: counts describe the valid rows either way.

    ``applied`` says whether they were written; ``rejected`` counts the invalid rows
    (``errors`` may hold several per row). Likely duplicates are ``skipped``, or
    ``linked`` (they complete the file they match), as the import was asked.
    """

    created: int = 0
    updated: int = 0
    linked: int = 0
    skipped: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_facilities: list[str] = field(default_factory=list)
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    mapping: ColumnMapping = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    encoding: str | None = None
    header_line: int = 1
    dry_run: bool = False
    applied: bool = False
    phases: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    """Seconds spent reading, validating, matching, writing (what bench/imports.py prints)."""

    @property
    def valid(self) -> int:
        """Rows written (or to write): created, updated, or completing another file."""
        return self.created + self.updated + self.linked


def import_beneficiaries(
    ctx: ServiceContext,
    path: Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    mapping: Mapping[str, str | None] | None = None,
    duplicates: DuplicateAction = DuplicateAction.FLAG,
) -> ImportReport:
    """Create or update (by CIN) one beneficiary per row; raises ImportFileError only.

    Without ``mapping`` the one proposed from the header and content is used.
    """
    phases: dict[str, float] = {}
    with import_gc.paused():
        with timed(phases, "read"):
            table = read_table(path)
            chosen = import_mapping.propose(table) if mapping is None else dict(mapping)
        report = import_table(
            ctx, table, chosen, dry_run=dry_run, skip_invalid=skip_invalid, duplicates=duplicates
        )
    report.phases.update(phases)
    return report


def import_table(
    ctx: ServiceContext,
    table: Table,
    mapping: Mapping[str, str | None],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    duplicates: DuplicateAction = DuplicateAction.FLAG,
    per_row: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    """The import of a table already read, with a mapping already chosen.

    ``duplicates`` says what becomes of rows likely to be a person already known
    (:mod:`app.services.import_duplicates`). New beneficiaries are written in bulk
    (:mod:`app.services.import_write`); ``per_row`` writes them as ORM objects through
    the flush pipeline instead: the reference the bulk path is tested against. When
    likely duplicates are only flagged, rows are checked and written ``batch_rows`` at
    a time (:func:`_import_streamed`). No automatic garbage collection meanwhile
    (:mod:`app.services.import_gc`).
    """
    with import_gc.paused():
        return _import_table(
            ctx, table, mapping, dry_run=dry_run, skip_invalid=skip_invalid,
            duplicates=duplicates, per_row=per_row, batch_rows=batch_rows,
        )  # fmt: skip


def _import_table(
    ctx: ServiceContext,
    table: Table,
    mapping: Mapping[str, str | None],
    *,
    dry_run: bool,
    skip_invalid: bool,
    duplicates: DuplicateAction,
    per_row: bool,
    batch_rows: int,
) -> ImportReport:
    mapping, report = _begin(table, mapping, dry_run=dry_run)
    today = ctx.today()
    if dry_run or per_row or duplicates is not DuplicateAction.FLAG:
        with timed(report.phases, "parse"):
            rows = TableParser(table, mapping, today).rows(table.rows)
        return _import_whole(ctx, report, rows, skip_invalid, duplicates, per_row=per_row)
    reader = None
    if len(table.rows) >= import_worker.MIN_ROWS and import_worker.spare_core():
        reader = import_worker.RowReader.start(table, mapping, today, batch_rows)
    if reader is None:
        parser = TableParser(table, mapping, today)
        batches = _batches(parser, table.rows, batch_rows, report.phases)
        return _import_streamed(ctx, report, batches, skip_invalid, len(table.rows))
    try:
        batches = _read_apart(reader, table, mapping, today, batch_rows, report.phases)
        _import_streamed(ctx, report, batches, skip_invalid, len(table.rows))
    finally:
        reader.close()
    for name, seconds in reader.phases.items():
        report.phases[name] = report.phases.get(name, 0.0) + seconds
    return report


def _begin(
    table: Table, mapping: Mapping[str, str | None], *, dry_run: bool
) -> tuple[ColumnMapping, ImportReport]:
    """The mapping as it applies to the table (refused if unusable), and the report."""
    mapping = import_mapping.apply_to(table, mapping)
    import_mapping.check(mapping)
    report = ImportReport(
        dry_run=dry_run, labels=list(table.labels), mapping=dict(mapping),
        encoding=table.encoding, header_line=table.header_line,
        unmapped=import_mapping.unmapped_labels(table, mapping),
    )  # fmt: skip
    for label in report.unmapped:
        report.warnings.append(_("Column “{column}” is not imported.").format(column=label))
    return mapping, report


def _read_apart(
    reader: import_worker.RowReader,
    table: Table,
    mapping: ColumnMapping,
    today: date,
    size: int,
    phases: dict[str, float],
) -> Iterator[list[ParsedRow]]:
    """The child's batches; if it stops early, the rest of the table parsed here."""
    done, first_line_of_cin = 0, dict[str, int]()
    batches = reader.batches(field_labels(table, mapping))
    while True:
        with timed(phases, "wait"):
            batch = next(batches, [])  # the child's batches are never empty: [] is the end
        if batch is None:
            break
        if not batch:
            return
        done += len(batch)
        for row in batch:
            if row.cin is not None:
                first_line_of_cin.setdefault(row.cin, row.line)
        yield batch
    parser = TableParser(table, mapping, today)
    parser.first_line_of_cin.update(first_line_of_cin)
    yield from _batches(parser, table.rows[done:], size, phases)


def _batches(
    parser: TableParser, rows: list[SheetRow], size: int, phases: dict[str, float]
) -> Iterator[list[ParsedRow]]:
    for start in range(0, len(rows), size):
        with timed(phases, "parse"):
            batch = parser.rows(rows[start : start + size])
        yield batch


class _NotApplied(Exception):
    """Rows written before an invalid one was met: the transaction is rolled back."""


def _import_streamed(
    ctx: ServiceContext,
    report: ImportReport,
    batches: Iterable[list[ParsedRow]],
    skip_invalid: bool,
    expected_rows: int,
) -> ImportReport:
    """Each batch checked then written while the file is still being read.

    Only when likely duplicates are just flagged: no later row changes what an earlier
    one writes. An invalid row (without ``skip_invalid``) stops the writing; every row
    is still checked, for the report, and what was written is rolled back.
    ``expected_rows``: the table's rows (whether setting indexes aside pays).
    """
    phases = report.phases
    aside = import_write.IndexesAside(expected_rows)
    try:
        with ctx.transaction() as session:
            facilities = _FacilityResolver(session)
            with timed(phases, "duplicates"):
                finder = import_duplicates.Finder(session)
            created: set[uuid.UUID] = set()
            updates: list[tuple[Beneficiary, dict[str, Any]]] = []
            facilities_written = 0
            for rows in batches:
                with timed(phases, "validate"):
                    checked = _Checked(ctx, session, rows, facilities, created)
                with timed(phases, "duplicates"):
                    report.duplicates.extend(finder.add(checked.candidates))
                for row in rows:
                    if row.errors:
                        report.errors.extend(row.errors)
                        report.rejected_rows.append(RejectedRow(row.line, row.cells, row.errors))
                report.created += len(checked.creates)
                updates.extend(checked.updates)
                if report.errors and not skip_invalid:
                    continue
                with timed(phases, "write_total"):
                    session.add_all(facilities.used_new[facilities_written:])
                    facilities_written = len(facilities.used_new)
                    session.flush()  # the facilities new rows refer to
                    texts = [checked.index_texts.get(line) for line in checked.creates]
                    ids = import_write.insert_beneficiaries(
                        session, ctx.actor.staff_id, [*checked.creates.values()], phases,
                        None if None in texts else cast(list[tuple[str, str, str]], texts),
                        aside,
                    )  # fmt: skip
                    created.update(ids)
            report.rejected = len(report.rejected_rows)
            report.updated = len(updates)
            report.new_facilities = [facility.name for facility in facilities.used_new]
            report.applied = skip_invalid or not report.errors
            if not report.applied:
                raise _NotApplied
            with timed(phases, "indexes"):
                aside.put_back(session.connection())
            with timed(phases, "write_total"):
                for beneficiary, changes in updates:
                    for name, value in changes.items():
                        setattr(beneficiary, name, value)
                session.flush()
    except _NotApplied:
        pass
    return report


def _import_whole(
    ctx: ServiceContext,
    report: ImportReport,
    rows: list[ParsedRow],
    skip_invalid: bool,
    duplicates: DuplicateAction,
    *,
    per_row: bool,
) -> ImportReport:
    """Every row checked, then the valid ones written (or, in a dry run, counted)."""
    phases, dry_run = report.phases, report.dry_run
    with ctx.reading() if dry_run else ctx.transaction() as session:
        with timed(phases, "validate"):
            checked = _Checked(ctx, session, rows)
        with timed(phases, "duplicates"):
            report.duplicates = import_duplicates.find(session, checked.candidates)
        creates, updates, facilities = checked.creates, checked.updates, checked.facilities
        if duplicates is not DuplicateAction.FLAG:
            settle = _DuplicateSettler(session, duplicates, creates, checked.targets, report)
            settle.all(checked.changes_by_line, apply=not dry_run)
        report.errors = [error for row in rows for error in row.errors]
        report.rejected_rows = [
            RejectedRow(row.line, row.cells, row.errors) for row in rows if row.errors
        ]
        report.rejected = len(report.rejected_rows)
        report.created, report.updated = len(creates), len(updates)
        report.new_facilities = [facility.name for facility in facilities.used_new]
        report.applied = not dry_run and (skip_invalid or not report.errors)
        if report.applied:
            with timed(phases, "write_total"):
                session.add_all(facilities.used_new)
                session.flush()  # the facilities new rows refer to
                if per_row:
                    session.add_all(Beneficiary(**values) for values in creates.values())
                else:
                    staff_id = ctx.actor.staff_id
                    aside = import_write.IndexesAside(len(creates))
                    import_write.insert_beneficiaries(
                        session, staff_id, [*creates.values()], phases, aside=aside
                    )
                    with timed(phases, "indexes"):
                        aside.put_back(session.connection())
                for beneficiary, changes in updates:
                    for name, value in changes.items():
                        setattr(beneficiary, name, value)
                session.flush()
    return report


class _Checked:
    """The rows validated against the profile: what each valid line creates or updates."""

    def __init__(
        self,
        ctx: ServiceContext,
        session: Session,
        rows: list[ParsedRow],
        facilities: _FacilityResolver | None = None,
        created: set[uuid.UUID] | frozenset[uuid.UUID] = frozenset(),
    ) -> None:
        """``created``: files this import wrote already (not files a row may update)."""
        cins = list(dict.fromkeys(r.cin for r in rows if r.cin))
        existing = _existing_by_cin(session, cins, created)
        if facilities is None:
            facilities = _FacilityResolver(session)
        self.facilities = facilities
        self.creates: dict[int, dict[str, Any]] = {}
        self.updates: list[tuple[Beneficiary, dict[str, Any]]] = []
        self.targets: dict[int, Beneficiary] = {}
        self.changes_by_line: dict[int, dict[str, Any]] = {}
        self.candidates: list[Candidate] = []
        self.index_texts: dict[int, tuple[str, str, str]] = {}  # by line, computed already
        today = ctx.today()
        for row in rows:
            facility = facilities.resolve(row)
            facility_id = None if facility is None else facility.id
            target = existing.get(row.cin) if row.cin else None
            _settle_custody(row, target)
            if target is None and row.as_new is not None:  # checked while parsing
                changes = import_check.validated_as_new(row, row.as_new, facility_id)
                texts = row.as_new[2]
                if texts is not None:
                    self.index_texts[row.line] = texts
            else:
                model = BeneficiaryFields if target else NewBeneficiary
                changes = import_check.validate(row, model, facility_id)
            if changes is None:
                continue
            if facility is not None:
                facilities.use(facility)
            self.candidates.append(
                Candidate(
                    row.line,
                    row.values,
                    target.id if target else None,
                    row.identity,
                    row.identity_keys,
                )  # fmt: skip
            )
            self.changes_by_line[row.line] = changes
            if target is not None:
                self.updates.append((target, changes))
                self.targets[row.line] = target
            else:
                self.creates[row.line] = _new_beneficiary(ctx, changes, today)


class _DuplicateSettler:
    """Likely duplicate rows left out (skip), or completing the file they match (link)."""

    def __init__(
        self,
        session: Session,
        action: DuplicateAction,
        creates: dict[int, dict[str, Any]],
        targets: dict[int, Beneficiary],
        report: ImportReport,
    ) -> None:
        self.session = session
        self.action = action
        self.creates = creates
        self.files: dict[int, Beneficiary | dict[str, Any]] = dict(targets)  # line -> its file
        self.files.update(creates)
        self.report = report

    def all(self, changes_by_line: dict[int, dict[str, Any]], *, apply: bool) -> None:
        for duplicate in self.report.duplicates:
            if duplicate.updates_by_cin or duplicate.line not in self.creates:
                continue
            if self.action is DuplicateAction.SKIP:
                del self.creates[duplicate.line]
                del self.files[duplicate.line]
                self.report.skipped += 1
                continue
            target = self._target(duplicate)
            if target is None:
                continue  # the line it matches was left out: written as a new file
            del self.creates[duplicate.line]
            self.files[duplicate.line] = target
            self.report.linked += 1
            if apply:  # a dry run only counts
                _complete(target, changes_by_line[duplicate.line])

    def _target(self, duplicate: PossibleDuplicate) -> Beneficiary | dict[str, Any] | None:
        if duplicate.existing_id is not None:
            return self.session.get(Beneficiary, duplicate.existing_id)
        if duplicate.other_line is not None:
            return self.files.get(duplicate.other_line)
        return None


def _complete(target: Beneficiary | dict[str, Any], changes: dict[str, Any]) -> None:
    """Fill the fields ``target`` leaves empty; never overwrite what it holds.

    ``target`` is a file of the profile, or the fields of one this import creates.
    """
    for name, value in changes.items():
        if value is None:
            continue
        if isinstance(target, dict):
            if target.get(name) in (None, ""):
                target[name] = value
        elif getattr(target, name) in (None, ""):
            setattr(target, name, value)


def known_facilities(ctx: ServiceContext) -> dict[str, str]:
    """Folded code, name and Arabic name of each live facility -> its name (for previews)."""
    with ctx.reading() as session:
        return {key: facility.name for key, facility in _FacilityResolver(session).by_key.items()}


def _settle_custody(row: ParsedRow, target: Beneficiary | None) -> None:
    """*Détenu*: a custody status already known is kept; otherwise *sentenced*, the default."""
    if row.values.get("legal_status") is not InCustody.IN_CUSTODY:
        return
    if target is not None and target.legal_status in _CUSTODY:
        del row.values["legal_status"]
    else:
        row.values["legal_status"] = LegalStatus.SENTENCED


def _new_beneficiary(ctx: ServiceContext, changes: dict[str, Any], today: date) -> dict[str, Any]:
    """Assigned to the acting staff member and team, as ``beneficiaries.register`` does.

    ``changes``: the fields set (every field left out defaults to None, so this is the
    model's ``exclude_none`` dump); ``today``: ``ctx.today()``, asked once per batch.
    """
    values = {name: value for name, value in changes.items() if value is not None}
    values.setdefault("assigned_staff_id", ctx.actor.staff_id)
    values.setdefault("intake_date", today)
    values["team_id"] = ctx.actor.team_id
    return values


def _existing_by_cin(
    session: Session, cins: list[str], created: set[uuid.UUID] | frozenset[uuid.UUID]
) -> dict[str, Beneficiary]:
    """Live beneficiaries holding these CINs, fetched in a few queries rather than per row."""
    found: dict[str, Beneficiary] = {}
    for start in range(0, len(cins), _LOOKUP_CHUNK):
        chunk = cins[start : start + _LOOKUP_CHUNK]
        query = select(Beneficiary).where(Beneficiary.cin.in_(chunk))
        for beneficiary in session.scalars(query):
            if beneficiary.cin is not None and beneficiary.id not in created:
                found[beneficiary.cin] = beneficiary
    return found


class _FacilityResolver:
    """Facility cells matched by code or name, ignoring case and accents.

    An unknown name becomes a new facility, created only if a valid row refers to it.
    """

    def __init__(self, session: Session) -> None:
        self.by_key: dict[str, Facility] = {}
        for facility in session.scalars(select(Facility)):
            for label in (facility.code, facility.name, facility.name_ar):
                if label:
                    self.by_key.setdefault(label_key(label), facility)
        self._new: dict[str, Facility] = {}
        self._used_ids: set[uuid.UUID] = set()
        self.used_new: list[Facility] = []

    def resolve(self, row: ParsedRow) -> Facility | None:
        if not row.facility:
            return None
        key = label_key(row.facility)
        facility = self.by_key.get(key) or self._new.get(key)
        if facility is not None:
            return facility
        facility = Facility(id=uuid.uuid4(), code=_facility_code(row.facility), name=row.facility)
        self._new[key] = facility
        return facility

    def use(self, facility: Facility) -> None:
        """A valid row refers to it: a new facility will then be created."""
        if facility.id in self._used_ids:
            return
        self._used_ids.add(facility.id)
        if self._new.get(label_key(facility.name)) is facility:
            self.used_new.append(facility)


def _facility_code(name: str) -> str:
    letters = "".join(ch for ch in fold(name).upper() if ch.isascii() and ch.isalnum())
    return f"{letters[:8] or 'FAC'}-{uuid.uuid4().hex[:6]}"
