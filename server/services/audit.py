"""The server's copy of the laptops' access logs: append with chain checks, verify, export.

An upload must continue the chain the server holds for that laptop: entries already
held must come back identical (a resend is harmless; a different one is refused), new
ones must follow on with consecutive ``seq``, the previous entry's hash as ``prev_hash``
and a ``hash`` that matches their content. Anything else refuses the whole upload
(:class:`ChainRefused`, 409): the copy here is the reference that a laptop holding its
own key cannot rewrite. An upload that starts beyond what is held (the server was
restored) stores nothing and answers how far the chain is held, so the laptop resends.

A chain belongs to the account that first uploaded it: another account's device cannot
add to it (a re-enrolled laptop of the same person can). An entry's actor is the
uploading account (or nobody, for what the laptop did by itself): a laptop cannot log
acts in a colleague's name, and ``verify`` names any entry held whose actor is not the
account of the device that uploaded it.
"""

from __future__ import annotations

import csv
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.orm import Session, aliased

from passerelle_core import formulas
from passerelle_core.audit_protocol import (
    GENESIS_HASH,
    HASHED_FIELDS,
    AccessLogAck,
    AccessLogUpload,
    ChainCheck,
    entry_hash,
    verify_chain,
)
from passerelle_core.private import create_private_file
from server.core.db import read_transaction, write_transaction
from server.core.tables import AccessLogCopy, Device
from server.services.devices import Caller
from server.services.errors import ServiceError

logger = logging.getLogger(__name__)
HASHED = (*HASHED_FIELDS, "hash")
EXPORT_COLUMNS = (*HASHED, "uploaded_by", "received_at")


class ChainRefused(ServiceError):
    """The upload does not continue the chain held here; names the first entry refused."""


def store_upload(session: Session, caller: Caller, upload: AccessLogUpload) -> AccessLogAck:
    chain = upload.device_id
    with write_transaction(session):
        # Uploads of one device queue here (SQLite's BEGIN IMMEDIATE already does); the
        # chain's tail is read under that lock in the same statement (issue 23).
        tail_seq, tail_hash, tail_owner = _tail(session, chain, caller.device_id)
        # A chain held here is this account's if its last entry is (see _tail); a chain
        # not held at all (tail_seq 0) has no owner yet.
        if tail_seq and tail_owner != caller.user_id:
            _check_owner(session, caller, chain)
        first = upload.entries[0].seq
        if first > tail_seq + 1:
            return AccessLogAck(device_id=chain, acked_seq=tail_seq, stored=0)
        held = _held_hashes(session, chain, first, min(tail_seq, upload.entries[-1].seq))
        expected, previous = first, None
        rows: list[dict[str, Any]] = []
        for entry in upload.entries:
            if entry.device_id != chain:
                _refuse(chain, entry.seq, "belongs to another device")
            if entry.seq != expected:
                _refuse(chain, expected, "is missing or out of order")
            expected += 1
            fields = entry.model_dump()
            if entry.hash != entry_hash(fields):
                _refuse(chain, entry.seq, "does not match its hash")
            if entry.seq > tail_seq and entry.staff_id not in (None, caller.user_id):
                _refuse(chain, entry.seq, "names another staff member than this account")
            if entry.seq <= tail_seq:
                if held.get(entry.seq) != entry.hash:
                    _refuse(chain, entry.seq, "differs from the one already received")
                previous = entry.hash
                continue
            link = previous if previous is not None else tail_hash
            if entry.prev_hash != link:
                _refuse(chain, entry.seq, "does not follow the entry before it")
            rows.append({**fields, "uploaded_by": caller.device_id})
            previous = entry.hash
        if rows:  # one Core statement for the batch, no ORM bulk machinery
            session.connection().execute(_INSERT, rows)
        acked = max(tail_seq, upload.entries[-1].seq)
    return AccessLogAck(device_id=chain, acked_seq=acked, stored=len(rows))


_INSERT = insert(AccessLogCopy)


def _refuse(chain: uuid.UUID, seq: int, why: str) -> NoReturn:
    logger.warning("access log of device %s refused at entry %d", chain, seq)
    raise ChainRefused(f"access log entry {seq} {why}: the upload was refused")


def _check_owner(session: Session, caller: Caller, chain: uuid.UUID) -> None:
    first_uploader = session.scalar(
        select(Device.user_id)
        .join(AccessLogCopy, AccessLogCopy.uploaded_by == Device.id)
        .where(AccessLogCopy.device_id == chain)
        .order_by(AccessLogCopy.seq)
        .limit(1)
    )
    if first_uploader is not None and first_uploader != caller.user_id:
        _refuse(chain, 1, "belongs to another account's log")


def _tail_query() -> Select[tuple[uuid.UUID, int | None, str | None, uuid.UUID | None]]:
    last = (
        select(AccessLogCopy.seq, AccessLogCopy.hash, AccessLogCopy.uploaded_by)
        .where(AccessLogCopy.device_id == bindparam("chain"))
        .order_by(AccessLogCopy.seq.desc())
        .limit(1)
    )
    seq, value, by = (
        last.with_only_columns(column).scalar_subquery() for column in last.selected_columns
    )
    device = aliased(Device)  # the uploader of the last entry, not the locked row
    owner = select(device.user_id).where(device.id == by).scalar_subquery()
    return (
        select(Device.id, seq.label("seq"), value.label("hash"), owner.label("owner"))
        .where(Device.id == bindparam("uploader"))
        .with_for_update(of=Device)
    )


_TAIL = _tail_query()
"""Built once (issue 23: building it was a tenth of an access-log upload's CPU)."""


def _tail(
    session: Session, chain: uuid.UUID, uploader: uuid.UUID
) -> tuple[int, str, uuid.UUID | None]:
    """The chain's last entry (seq, hash) and the account of the device that uploaded it,
    read while locking the uploading device's row (one statement).

    Every upload that stored entries passed :func:`_check_owner`, so all the entries of a
    chain were uploaded by devices of one account: the last one's account is the chain's.
    """
    row = session.connection().execute(_TAIL, {"chain": chain, "uploader": uploader}).one()
    if row.seq is None:
        return 0, GENESIS_HASH, None
    return int(row.seq), str(row.hash), row.owner


def _held_hashes(session: Session, chain: uuid.UUID, first: int, last: int) -> dict[int, str]:
    if last < first:
        return {}
    rows = session.execute(
        select(AccessLogCopy.seq, AccessLogCopy.hash).where(
            AccessLogCopy.device_id == chain, AccessLogCopy.seq.between(first, last)
        )
    )
    return {int(seq): str(value) for seq, value in rows}


# -- verification and export (the admin commands) ------------------------------------------


@dataclass(frozen=True)
class ServerChainCheck:
    device_id: uuid.UUID
    uploaded_by: set[uuid.UUID]
    check: ChainCheck
    foreign_actors: list[int] = field(default_factory=list)  # seq of entries in another's name


def verify(session: Session, device: uuid.UUID | None = None) -> list[ServerChainCheck]:
    """Recompute every chain held (or the one of ``device``: a chain or an enrolled device)."""
    with read_transaction(session):
        chains = select(AccessLogCopy.device_id).distinct()
        if device is not None:
            chains = chains.where(
                (AccessLogCopy.device_id == device) | (AccessLogCopy.uploaded_by == device)
            )
        results = []
        for chain in sorted(session.scalars(chains)):
            uploaders: set[uuid.UUID] = set()
            check = verify_chain(_entries(session, chain, uploaders))
            results.append(ServerChainCheck(chain, uploaders, check, _foreign(session, chain)))
    return results


def _foreign(session: Session, chain: uuid.UUID) -> list[int]:
    """Entries whose actor is not the account of the device that uploaded them."""
    query = (
        select(AccessLogCopy.seq)
        .join(Device, Device.id == AccessLogCopy.uploaded_by)
        .where(
            AccessLogCopy.device_id == chain,
            AccessLogCopy.staff_id.is_not(None),
            AccessLogCopy.staff_id != Device.user_id,
        )
        .order_by(AccessLogCopy.seq)
    )
    return [int(seq) for seq in session.scalars(query)]


def _entries(
    session: Session, chain: uuid.UUID, uploaders: set[uuid.UUID]
) -> Iterator[dict[str, Any]]:
    query = select(AccessLogCopy).where(AccessLogCopy.device_id == chain)
    for row in session.scalars(query.order_by(AccessLogCopy.seq).execution_options(yield_per=2000)):
        uploaders.add(row.uploaded_by)
        yield {name: getattr(row, name) for name in HASHED}


def export_csv(
    session: Session,
    path: Path,
    device: uuid.UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> int:
    """Every entry held (of one chain or device; within [start, end)), oldest first."""
    query = select(AccessLogCopy).order_by(AccessLogCopy.device_id, AccessLogCopy.seq)
    if device is not None:
        query = query.where(
            (AccessLogCopy.device_id == device) | (AccessLogCopy.uploaded_by == device)
        )
    if start is not None:
        query = query.where(AccessLogCopy.recorded_at >= start)
    if end is not None:
        query = query.where(AccessLogCopy.recorded_at < end)
    count = 0
    temporary = create_private_file(path.with_name(path.name + ".part"))  # owner-only
    with read_transaction(session), temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for row in session.scalars(query.execution_options(yield_per=2000)):
            writer.writerow([_text(getattr(row, name)) for name in EXPORT_COLUMNS])
            count += 1
    temporary.replace(path)
    return count


def _text(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is neutralised (an
    uploaded entry's fields come from a laptop)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return formulas.neutralise(str(value))
