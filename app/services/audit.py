"""The access log as use cases: record a reading, list and filter it, verify it, export it.

Changes are recorded by themselves (:mod:`app.services.audit_capture`); readings and
documents are recorded by the code that shows or writes them, through
:func:`record_access` (its own transaction) or :func:`record` (the caller's). The log
holds ids only: a line on screen names the case by looking the beneficiary up when
shown, and the CSV export keeps ids, so the export carries no beneficiary's name.

Reading and exporting the log is for supervisors and administrators
(:func:`may_read`); verifying it is for anyone: it reveals nothing.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import AccessAction, AccessLogEntry, Beneficiary, StaffMember
from app.security.permissions import Permission, allows, require
from app.services import search, sync_status
from app.services.audit_capture import Access, append
from app.services.context import ACTOR_KEY, Actor, ServiceContext
from app.sync.audit_chain import DeviceCheck as DeviceCheck  # the access log's checks
from app.sync.audit_chain import verify as verify
from app.sync.capture import CaseWalker
from passerelle_core import formulas
from passerelle_core.audit_protocol import BreakKind, ChainBreak
from passerelle_core.private import create_private_file

ACCESS_LOG = cast(Table, AccessLogEntry.__table__)
MAX_LINES = 2000
CSV_COLUMNS = (
    "seq",
    "recorded_at",
    "staff_id",
    "staff_name",
    "device_id",
    "action",
    "record_type",
    "record_id",
    "case_id",
    "hash",
)

ACTION_LABELS: dict[AccessAction, str] = {
    AccessAction.OPEN_CASE: N_("Case file opened"),
    AccessAction.VIEW: N_("Shown in a list"),
    AccessAction.CREATE: N_("Record created"),
    AccessAction.UPDATE: N_("Record changed"),
    AccessAction.DELETE: N_("Record deleted"),
    AccessAction.RESOLVE_CONFLICT: N_("Conflict resolved"),
    AccessAction.PRINT: N_("Document printed"),
    AccessAction.EXPORT: N_("Data exported"),
    AccessAction.ANONYMISE: N_("Case anonymised"),
    AccessAction.PURGE: N_("Case purged"),
    AccessAction.UNLOCK: N_("Profile unlocked"),
    AccessAction.LOCK: N_("Profile locked"),
    AccessAction.PIN_RECOVERY_KEY: N_("Recovery key pinned"),
    AccessAction.MERGE: N_("Files merged"),
}

DOCUMENT_KINDS: dict[str, str] = {
    "access_log": N_("Access log"),
    "activity_report": N_("Activity report"),
    "case_list": N_("Anonymised case list"),
    "indicators": N_("Indicators"),
    "profile": N_("Profile"),
}
"""Entries about a document or the profile rather than one synced record."""

BREAK_MESSAGES: dict[BreakKind, str] = {
    BreakKind.MISSING: N_("entry {seq} is missing (removed)"),
    BreakKind.OUT_OF_ORDER: N_("entry {seq} is out of order"),
    BreakKind.BROKEN_LINK: N_("entry {seq} does not follow the entry before it"),
    BreakKind.ALTERED: N_("entry {seq} was altered"),
    BreakKind.TRUNCATED: N_("entries from {seq} on, already received by the server, are gone"),
}


def action_label(action: AccessAction) -> str:
    return _(ACTION_LABELS[action])


def record_label(record_type: str | None) -> str:
    """The kind of record (or document) an entry is about, in the interface language."""
    if record_type is None:
        return ""
    message = DOCUMENT_KINDS.get(record_type)
    return _(message) if message else sync_status.record_kind_label(record_type)


def break_message(broken: ChainBreak) -> str:
    return _(BREAK_MESSAGES[broken.kind]).format(seq=broken.seq)


def may_read(actor: Actor) -> bool:
    """Supervisors and administrators read the log; counsellors do not see it at all."""
    return allows(actor.role, Permission.READ_ACCESS_LOG)


# -- recording ------------------------------------------------------------------------------


def record_access(
    ctx: ServiceContext,
    action: AccessAction,
    record_type: str,
    record_id: uuid.UUID | None = None,
    *,
    case_id: uuid.UUID | None = None,
) -> None:
    """Record that ``ctx.actor`` did ``action`` on a record (or a document kind, no id).

    ``case_id`` is found from the record when not given (a beneficiary is its own case).
    """
    with ctx.transaction() as session:
        record(session, action, record_type, record_id, case_id=case_id)


def record(
    session: Session,
    action: AccessAction,
    record_type: str,
    record_id: uuid.UUID | None = None,
    *,
    case_id: uuid.UUID | None = None,
) -> None:
    """Like :func:`record_access`, inside the caller's transaction (``ctx.transaction()``)."""
    connection = session.connection()
    if case_id is None and record_id is not None:
        case_id = CaseWalker(connection).case_of(record_type, record_id, {})
    access = Access(action, record_type, record_id, case_id)
    append(connection, session.info.get(ACTOR_KEY), [access])


def record_shown(ctx: ServiceContext, record_type: str, ids: Iterable[uuid.UUID]) -> None:
    """Records whose content a list showed (the command line's, a page's): one "shown"
    entry each, in one transaction."""
    with ctx.transaction() as session:
        for record_id in dict.fromkeys(ids):
            record(session, AccessAction.VIEW, record_type, record_id)


def open_case(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> None:
    """A case file was opened on screen."""
    record_access(ctx, AccessAction.OPEN_CASE, "beneficiary", beneficiary_id)


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    """Which lines to show; every criterion is optional. Dates are local calendar days."""

    staff_id: uuid.UUID | None = None
    action: AccessAction | None = None
    start: date | None = None
    end: date | None = None
    case_ids: tuple[uuid.UUID, ...] | None = None  # None: any case; (): none matched


@dataclass(frozen=True)
class LogLine:
    seq: int
    recorded_at: datetime
    device_id: uuid.UUID
    staff_id: uuid.UUID | None
    staff_name: str | None
    action: AccessAction
    record_type: str | None
    record_id: uuid.UUID | None
    case_id: uuid.UUID | None
    hash: str


def lines(
    ctx: ServiceContext, wanted: LogFilter | None = None, limit: int = MAX_LINES
) -> list[LogLine]:
    """The newest lines matching ``wanted``, newest first (supervisors and admins only)."""
    _check_reader(ctx)
    with ctx.reading() as session:
        return _lines(session, wanted or LogFilter(), limit)


def _lines(session: Session, wanted: LogFilter, limit: int | None) -> list[LogLine]:
    query = (
        select(AccessLogEntry, StaffMember.full_name)
        .outerjoin(StaffMember, StaffMember.id == AccessLogEntry.staff_id)
        .order_by(AccessLogEntry.recorded_at.desc(), AccessLogEntry.seq.desc())
    )
    if wanted.staff_id is not None:
        query = query.where(AccessLogEntry.staff_id == wanted.staff_id)
    if wanted.action is not None:
        query = query.where(AccessLogEntry.action == wanted.action)
    if wanted.case_ids is not None:
        query = query.where(AccessLogEntry.case_id.in_(wanted.case_ids))
    if wanted.start is not None:
        query = query.where(AccessLogEntry.recorded_at >= _day_start(wanted.start))
    if wanted.end is not None:
        query = query.where(AccessLogEntry.recorded_at < _day_start(wanted.end + timedelta(1)))
    if limit is not None:
        query = query.limit(limit)
    return [_line(entry, name) for entry, name in session.execute(query)]


def _line(entry: AccessLogEntry, staff_name: str | None) -> LogLine:
    return LogLine(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        device_id=entry.device_id,
        staff_id=entry.staff_id,
        staff_name=staff_name,
        action=entry.action,
        record_type=entry.record_type,
        record_id=entry.record_id,
        case_id=entry.case_id,
        hash=entry.hash,
    )


def _day_start(day: date) -> datetime:
    """Midnight of a local calendar day, in UTC (the log's times are UTC)."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def staff_in_log(ctx: ServiceContext) -> list[tuple[uuid.UUID, str]]:
    """Everyone who appears in the log, by name, for the "who" filter."""
    _check_reader(ctx)
    with ctx.reading() as session:
        ids = select(AccessLogEntry.staff_id).where(AccessLogEntry.staff_id.is_not(None))
        rows = session.execute(
            select(StaffMember.id, StaffMember.full_name)
            .where(StaffMember.id.in_(ids.distinct()))
            .order_by(StaffMember.full_name)
        )
        return [(staff_id, name) for staff_id, name in rows]


def case_names(ctx: ServiceContext, case_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of the cases shown on screen (looked up, never stored in the log)."""
    _check_reader(ctx)
    if not case_ids:
        return {}
    with ctx.reading() as session:
        people = session.scalars(select(Beneficiary).where(Beneficiary.id.in_(case_ids)))
        return {person.id: person.display_name for person in people}


def find_cases(ctx: ServiceContext, text: str) -> tuple[uuid.UUID, ...] | None:
    """The cases a "case" filter means: an id, or a name, CIN or number to search; None: any."""
    text = text.strip()
    if not text:
        return None
    try:
        return (uuid.UUID(text),)
    except ValueError:
        return tuple(hit.beneficiary_id for hit in search.search(ctx, text))


def _check_reader(ctx: ServiceContext) -> None:
    require(ctx, Permission.READ_ACCESS_LOG)


# -- export ---------------------------------------------------------------------------------


def export_csv(ctx: ServiceContext, path: Path, wanted: LogFilter | None = None) -> int:
    """Write the matching lines, oldest first, to a CSV file; the export is itself logged.

    Ids only (and staff names): no beneficiary's name leaves with the file.
    """
    _check_reader(ctx)
    with ctx.reading() as session:
        found = _lines(session, wanted or LogFilter(), None)
    path = Path(path)
    temporary = create_private_file(path.with_name(path.name + ".part"))  # owner-only
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for line in reversed(found):
            writer.writerow(_csv_row(line))
    temporary.replace(path)
    record_access(ctx, AccessAction.EXPORT, "access_log")
    return len(found)


def _csv_row(line: LogLine) -> list[str]:
    values = (
        line.seq,
        line.recorded_at.isoformat(timespec="seconds"),
        line.staff_id,
        line.staff_name,
        line.device_id,
        line.action.value,
        line.record_type,
        line.record_id,
        line.case_id,
        line.hash,
    )
    # A staff name is typed by people: "=HYPERLINK(...)" must not run in a spreadsheet.
    return ["" if value is None else formulas.neutralise(str(value)) for value in values]


# -- verification: app.sync.audit_chain (the upload checks the chain before sending it) ------
