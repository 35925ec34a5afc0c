"""``POST /api/v1/push``: a batch merged in order, each change exactly once (issue 23).

A change already applied (same ``change_id``) returns its stored result as
``duplicate``. A refused change is reported, permanently or for a retry, while the rest
of the batch goes on. The counter lock is held to the commit, so this transaction's
sequence numbers commit in order.

The counter lock is taken only to hand out numbers and commit (issue 23, many
laptops): a batch of up to LATE_NUMBERING_MAX changes is parsed, read, merged and
written *before* it, with provisional sequence numbers (server.services.sequence), so
concurrent pushes do all that side by side. Under the lock, in one statement on
PostgreSQL, the provisional numbers become the next real ones and the records numbered
since the batch began reading are listed: should one be a record the batch read, or
belong to a case it touched, the transaction is rolled back and the batch merged again
the old way, the lock taken first (as when the device turns out revoked, stolen or
told to erase, or a write met a concurrent one: a resend's change id, a record created
twice). The device's status is read in the lock's own statement. On SQLite the write
transaction is exclusive from its ``BEGIN IMMEDIATE``, so every batch takes the old
way there: nothing could run beside it.

The batch is merged in bulk: its records, what they refer to and its change ids are
read up front (:mod:`server.services.lookups`), each change is decided in memory in
order (conflicts and refusals exactly as before, one by one) and everything is written
in one flush. A refused change leaves nothing behind: the merge refuses before it
writes anything but the record itself, whose state is put back. Should the flush fail
(a constraint the merge did not foresee), the transaction is rolled back and the batch
goes again the careful way, in a new one: each change in its own savepoint, flushed
alone, so that one bad change costs only itself.
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from passerelle_core.columns import utcnow
from passerelle_core.protocol import Change, ChangeResult
from passerelle_core.push_check import REPLACED, RESTORED
from passerelle_core.records import WireError
from server.core.db import write_transaction
from server.core.tables import ChangeLog, Device, Record, ScopeExit
from server.services import lookups
from server.services.devices import Caller
from server.services.errors import AuthError, Rejected
from server.services.field_parsers import parse_fields
from server.services.merge import UNREAD, Author, Unread, apply_change
from server.services.sequence import (
    DeviceState,
    Moved,
    ProvisionalNumbers,
    SequenceAllocator,
    committed_high_water,
    lock_records,
    lock_with_device,
    number_late,
    numbered_since,
)

logger = logging.getLogger(__name__)
lock_times = logging.getLogger("passerelle.push.lock")
"""Debug only (a bench turns it on): how long each push held the counter lock."""
AFTER_ERASE_ORDER = "recorded after this device was told to erase its data"
REFUSED_STATUSES = {
    "revoked": "this device was revoked",
    "stolen": "this device was reported stolen",
}
OTHER_RECORD = "this change_id was used for another record"
LATE_NUMBERING_MAX = 100
"""Larger batches (a seeding push) merge and number under the lock as before: written
with provisional numbers, each of their thousands of new rows would be written twice
(the seeding push of bench/sync.py went from 672 to 530 changes/s)."""
RECHECK_LIMIT = 2000
"""Records numbered while a batch read ahead beyond which it simply reads again."""
# What the merge may change on a record before refusing the change: put back if so.
RECORD_STATE = (
    "version", "data", "field_versions", "field_devices", "deleted", "case_id", "team_id",
    "assigned_staff_id", "restricted", "seq",
)  # fmt: skip


class Logged(NamedTuple):
    """What a duplicate needs of the change it repeats (a tuple: one per change of a
    batch, made in a fifth of a frozen dataclass's time)."""

    record_type: str
    record_id: uuid.UUID
    result: dict[str, Any]


class WentBack(Exception):
    """A checked push met a database that is not the one the laptop knows
    (``kind`` is ``replaced``) or older than what it has seen (``restored``)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Expected:
    """What a checked push expects of the server (passerelle_core.push_check)."""

    cursor: int
    server_id: uuid.UUID


@dataclass
class _ReadAhead:
    """What a batch read before taking the counter lock, and from which number on."""

    high: int  # counter.last_seq before the reads
    applied: dict[uuid.UUID, Any]
    cache: lookups.BatchRecords
    parsed: dict[int, dict[str, Any] | WireError]  # by position in the batch
    cases: set[uuid.UUID]  # of the records read (before the merge moves any)


@dataclass(frozen=True)
class _Pusher:
    """Who pushes, and the transaction's sequence numbers."""

    session: Session
    seqs: SequenceAllocator
    author: Author
    user_id: uuid.UUID
    parsed: dict[int, dict[str, Any] | WireError] | None = None  # by id(change)
    # When the batch was received: one time for all its change-log rows (one value,
    # converted once by the batch's insert).
    received_at: datetime = field(default_factory=utcnow)


def push(
    session: Session,
    caller: Caller,
    changes: list[Change],
    *,
    bulk: bool = True,
    expected: Expected | None = None,
) -> list[ChangeResult]:
    """Merge ``changes`` in order; ``bulk=False`` takes the careful way for the whole
    batch (what a failed bulk flush falls back to; bench/push.py compares the two).
    ``expected``: WentBack, with nothing merged, when the database is not that one or
    is older than that cursor.

    A bulk merge whose flush fails is rolled back whole and merged again the careful
    way in a new transaction: no savepoint around the bulk merge, two round trips
    fewer while the counter lock is held (issue 23, many laptops)."""
    with no_cycle_collection():  # (collected once the batch's own objects are freed)
        return _push_any(session, caller, changes, bulk=bulk, expected=expected)


def _push_any(
    session: Session,
    caller: Caller,
    changes: list[Change],
    *,
    bulk: bool,
    expected: Expected | None,
) -> list[ChangeResult]:
    skip = 0
    if bulk:
        try:
            if 0 < len(changes) <= LATE_NUMBERING_MAX and _writers_run_side_by_side(session):
                try:
                    return _push_numbered_late(session, caller, changes, expected)
                except _Redo as redo:
                    level = logging.WARNING if redo.failed else logging.INFO
                    logger.log(level, "batch merged again under the counter lock: %s", redo.reason)
                    session.expunge_all()  # what the attempt loaded or made: read again
            return _push(session, caller, changes, bulk=True, expected=expected)
        except _BulkFailed as failed:
            logger.warning("batch merged change by change: %s", failed.kind)
            session.expunge_all()  # what the failed attempt loaded or made: read again
            skip = failed.last  # its numbers are not handed out again (one may clash)
    return _push(session, caller, changes, bulk=False, expected=expected, skip=skip)


def _writers_run_side_by_side(session: Session) -> bool:
    """PostgreSQL: merging before the counter lock lets pushes overlap. SQLite's write
    transaction is exclusive from its ``BEGIN IMMEDIATE``: nothing would overlap, and
    provisional numbers would only write every row twice."""
    return session.get_bind().dialect.name == "postgresql"


class _Redo(Exception):
    """A batch merged before the lock must be merged again under it: roll back.
    ``failed``: a write failed (as a failed bulk flush, worth a warning)."""

    def __init__(self, reason: str, *, failed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.failed = failed


class _BulkFailed(Exception):
    """The bulk merge's writes failed (a constraint it did not foresee): roll back.
    ``last``: the last sequence number the attempt took."""

    def __init__(self, kind: str, last: int) -> None:
        super().__init__(kind)
        self.kind = kind
        self.last = last


def _push_numbered_late(
    session: Session, caller: Caller, changes: list[Change], expected: Expected | None
) -> list[ChangeResult]:
    """Merged and written with provisional numbers, then the counter lock for the real
    numbers and the commit; _Redo when that cannot stand (rolled back)."""
    started = 0.0
    with write_transaction(session):
        if expected is not None:
            _note_held(session, caller.device_id, expected.cursor)
        targets = {(change.record_type, change.record_id) for change in changes}
        # Its own stored records locked first: what the merge writes over them is their
        # current state, which nobody changes before the commit. (A record created twice
        # meets its unique key; what is read but not written is checked under the lock.)
        ahead = _read_ahead(session, changes, lock_records(session, targets))
        provisional = ProvisionalNumbers(session)
        parsed = {id(changes[n]): v for n, v in ahead.parsed.items()}
        author = Author(caller.device_id, caller.viewer)
        pusher = _Pusher(session, provisional, author, caller.user_id, parsed)
        try:
            results = _merge_batch(pusher, changes, ahead)
        except _BulkFailed as failed:  # (a resend's change id, a record made twice)
            raise _Redo(failed.kind, failed=True) from failed
        elsewhere = _writes_elsewhere(session, provisional, targets, ahead.cache)
        if lock_times.isEnabledFor(logging.DEBUG):
            started = time.perf_counter()
        try:
            seqs, device = lock_with_device(session, caller.device_id)
            granted = time.perf_counter() if started else 0.0
            if expected is not None:
                _check_epoch(caller, seqs, expected)
            if device is None or device.status in REFUSED_STATUSES or device.status == "wipe":
                raise _Redo("device status")
            last = seqs.last  # (before the batch's numbers)
            moved = number_late(
                session, provisional, seqs, ahead.high, [c.change_id for c in changes],
                RECHECK_LIMIT,
            )  # fmt: skip
        except SQLAlchemyError as error:  # (a deadlock with a writer holding the lock)
            raise _Redo(type(error).__name__, failed=True) from error
        if not _untouched(ahead, moved) or (elsewhere and last != ahead.high):
            raise _Redo("read records changed meanwhile")
    if started:
        _log_lock(started, granted, f"{len(changes)} changes, {provisional.count} numbers")
    _settle(session, provisional, seqs.last - provisional.count - provisional.first)
    return results


def _writes_elsewhere(
    session: Session,
    provisional: ProvisionalNumbers,
    targets: set[lookups.Key],
    cache: lookups.BatchRecords,
) -> bool:
    """Whether the merge wrote a stored record other than the batch's own (not locked
    by :func:`lock_records`): a conflict's target, a case's records moved with it.
    Such a batch stands only if nothing was numbered meanwhile (its own write of a row
    hides a concurrent one from :func:`_untouched`)."""
    made = {(record.record_type, record.record_id) for record in cache.joined}
    low, high = provisional.first, provisional.last
    for instance in session.identity_map.values():
        if isinstance(instance, Record):
            seq = instance.__dict__.get("seq")
            key = (instance.record_type, instance.record_id)
            if seq is not None and low < seq <= high and key not in targets and key not in made:
                return True
    return False


def _untouched(ahead: _ReadAhead, moved: Moved | None) -> bool:
    """Whether nothing numbered since the batch began reading touched what it merged:
    a record it read (found or absent), or any record of a case it touched (its merge
    may have read a case's members: placement, a case moved with its records)."""
    if moved is None:
        return False
    if not moved:
        return True
    records = ahead.cache.records
    cases = ahead.cases | _cases(ahead.cache)  # before and after the merge
    for record_type, record_id, case_id in moved:
        if (record_type, record_id) in records or (case_id is not None and case_id in cases):
            return False
    return True


def _settle(session: Session, provisional: ProvisionalNumbers, shift: int) -> None:
    """After the commit: the session's objects show their real numbers (the database
    was updated by :func:`number_late`, not through them)."""
    if not provisional.count:
        return
    low, high = provisional.first, provisional.last
    for instance in session.identity_map.values():
        if isinstance(instance, Record | ScopeExit):
            seq = instance.__dict__.get("seq")
            if seq is not None and low < seq <= high:
                set_committed_value(instance, "seq", seq + shift)


def _push(
    session: Session,
    caller: Caller,
    changes: list[Change],
    *,
    bulk: bool,
    expected: Expected | None,
    skip: int = 0,
) -> list[ChangeResult]:
    with write_transaction(session):
        if expected is not None:
            _note_held(session, caller.device_id, expected.cursor)
        ahead = _read_ahead(session, changes) if bulk and changes else None
        started = time.perf_counter() if lock_times.isEnabledFor(logging.DEBUG) else 0.0
        # The lock, held to the commit, and the device's status read with it, current
        # even after the wait: a device revoked a moment ago pushes nothing.
        seqs, device = lock_with_device(session, caller.device_id)
        granted = time.perf_counter() if started else 0.0
        seqs.skip_to(skip)
        if expected is not None:
            _check_epoch(caller, seqs, expected)
        if ahead is not None and not _still_valid(session, ahead, seqs.last):
            _discard(session, ahead)
            ahead = None
        status = device.status if device is not None else "revoked"
        refusal = REFUSED_STATUSES.get(status)
        ordered = (
            _last_push(session, caller.device_id, device)
            if device is not None and status == "wipe"
            else None
        )
        parsed = None if ahead is None else {id(changes[n]): v for n, v in ahead.parsed.items()}
        author = Author(caller.device_id, caller.viewer)
        pusher = _Pusher(session, seqs, author, caller.user_id, parsed)
        refused: dict[int, ChangeResult] = {}
        for number, change in enumerate(changes):
            if refusal is not None:
                refused[number] = _rejected(change, refusal, permanent=True)
            elif ordered is not None and change.recorded_at > ordered:
                refused[number] = _rejected(change, AFTER_ERASE_ORDER, permanent=True)
        todo = [c for n, c in enumerate(changes) if n not in refused]
        if bulk and todo:
            answers = _merge_batch(pusher, todo, ahead)
        else:
            answers = [_push_one(pusher, change) for change in todo]
        merged = iter(answers)
        results = [refused[n] if n in refused else next(merged) for n in range(len(changes))]
        seqs.save()
    if started:
        _log_lock(started, granted, f"{len(changes)} changes merged under it")
    return results


def _log_lock(started: float, granted: float, what: str) -> None:
    """Debug: the wait for the counter lock (its statement) and the hold to the commit."""
    done = time.perf_counter()
    waited, held = (granted - started) * 1000, (done - granted) * 1000
    lock_times.debug("counter lock waited %.2f ms, held %.2f ms, %s", waited, held, what)


def _check_epoch(caller: Caller, seqs: SequenceAllocator, expected: Expected) -> None:
    """As a pull from ``expected.cursor`` would tell (server.services.epoch): another
    database, a cursor beyond the committed counter, or beyond what this device was
    ever handed."""
    if seqs.server_id != expected.server_id:
        raise WentBack(REPLACED)
    served = caller.served_cursor
    if expected.cursor > seqs.last or (served is not None and expected.cursor > served):
        raise WentBack(RESTORED)


def _note_held(session: Session, device_id: uuid.UUID, cursor: int) -> None:
    """The laptop holds everything up to the cursor it states, as a pull from it tells
    the server (server.services.epoch): a case that left it before that number is one it
    was told about, so its later edits are refused (server.services.transfers). Written
    before the counter lock (the device row's lock is taken first, as by any writer of
    it), undone with the rest if the push turns out to meet a server that went back."""
    session.connection().execute(_NOTE_HELD, {"device": device_id, "held": cursor, "below": cursor})


_DEVICES: Table = Device.__table__  # type: ignore[assignment]
_NOTE_HELD = (
    update(_DEVICES)
    .where(
        _DEVICES.c.id == bindparam("device"),
        func.coalesce(_DEVICES.c.applied_cursor, 0) < bindparam("below"),
    )
    .values(applied_cursor=bindparam("held"))
)
"""Built once, run on the connection (no ORM update: every checked push runs it, and
no ``Device`` object is in the session to keep in step)."""


def _read_ahead(session: Session, changes: list[Change], high: int | None = None) -> _ReadAhead:
    """Before the lock: the fields parsed, the change ids and records read (checked
    under the lock by :func:`_still_valid`)."""
    if high is None:  # (else read by the caller, before these reads)
        high = committed_high_water(session)[0]  # first: reads after it are newer
    parsed: dict[int, dict[str, Any] | WireError] = {}
    for number, change in enumerate(changes):
        try:
            parsed[number] = parse_fields(change.record_type, change.record_id, change.fields)
        except WireError as error:
            parsed[number] = error
    applied = lookups.applied_changes(session, [c.change_id for c in changes])
    cache = lookups.prefetch(session, changes, lookups.BatchRecords())
    return _ReadAhead(high, applied, cache, parsed, _cases(cache))


def _cases(cache: lookups.BatchRecords) -> set[uuid.UUID]:
    """The cases of the records a batch knows (a case's own record is its case)."""
    cases = {
        known.case_id
        for known in cache.records.values()
        if known is not None and known.case_id is not None
    }
    cases.update(cache.consents)
    return cases


def _still_valid(session: Session, ahead: _ReadAhead, last: int) -> bool:
    """Under the lock: did anything committed since the reads began touch what they read?

    Every write of a record gives it a new sequence number, so the records numbered in
    ``(ahead.high, last]`` are all that changed (created, edited, moved, deleted); a
    change id committed meanwhile by a resend came with its record's new number too (one
    that numbered nothing, a deletion of a record never stored, meets the change log's
    unique key at the flush, and the batch is merged again the careful way)."""
    if last == ahead.high:
        return True
    moved = numbered_since(session, ahead.high, last, RECHECK_LIMIT)
    if moved is None:
        return False
    records, consents = ahead.cache.records, ahead.cache.consents
    for record_type, record_id, case_id in moved:
        if (record_type, record_id) in records:
            return False
        if record_type == lookups.CONSENT and case_id in consents:
            return False
    return True


def _discard(session: Session, ahead: _ReadAhead) -> None:
    """Stale reads: their objects leave the session, so the batch reads them afresh."""
    for record in ahead.cache.records.values():
        if isinstance(record, Record) and record in session:  # (parents may be plain rows)
            session.expunge(record)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for one batch: the thousands of objects a batch
    allocates trigger collections that walk every live object, a fifth of a batch's CPU
    (bench/push.py). Bounded: a batch is at most MAX_PUSH_CHANGES changes; whoever
    paused it (not a concurrent batch that found it paused) turns it back on. Paused for
    the whole push (its reads included), and turned back on once the batch's records,
    rows and cache are freed: the collection that follows then walks the answers alone,
    not the batch's whole working set. The push routes pause it from the body's parse
    to the answer's text (server/api/routes/sync.py): parsing 500 changes with the
    collector on cost about twice as much CPU (a collection every few hundred objects)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _last_push(session: Session, device_id: uuid.UUID, device: DeviceState) -> datetime:
    """A device told to erase hands in what it recorded before the order, in one push."""
    if device.final_push_at is not None or device.wipe_ordered_at is None:
        raise AuthError("this device must erase its data", "wipe")
    session.execute(update(Device).where(Device.id == device_id).values(final_push_at=utcnow()))
    return device.wipe_ordered_at


def _merge_batch(
    pusher: _Pusher, changes: list[Change], ahead: _ReadAhead | None
) -> list[ChangeResult]:
    """In bulk, one flush; _BulkFailed if that fails (the caller starts again)."""
    session = pusher.session
    cache = lookups.BatchRecords() if ahead is None else ahead.cache
    try:
        if ahead is None:
            applied = lookups.applied_changes(session, [c.change_id for c in changes])
            lookups.prefetch(session, changes, cache)
        else:
            applied = ahead.applied
        with lookups.batching(session, cache):  # writes the new records at its end
            results = [_bulk_one(pusher, cache, applied, change) for change in changes]
        cache.write_logs(session)
        session.flush()  # the updates of records that existed before the batch
    except SQLAlchemyError as error:
        cache.leave(session)
        raise _BulkFailed(type(error).__name__, pusher.seqs.last) from error
    return results


def _bulk_one(
    pusher: _Pusher, cache: lookups.BatchRecords, applied: dict[uuid.UUID, Any], change: Change
) -> ChangeResult:
    stored = applied.get(change.change_id)
    if stored is not None:
        return _duplicate(change, stored.record_type, stored.record_id, stored.result)
    session = pusher.session
    record = lookups.find(session, change.record_type, change.record_id)
    before = _state(record) if record is not None else None
    first = pusher.seqs.last
    try:
        result = _apply(pusher, change, record)
    except (WireError, Rejected) as error:
        _undo(session, change, record, before)
        permanent = error.permanent if isinstance(error, Rejected) else True
        return _rejected(change, str(error), permanent=permanent)
    log = _log(pusher, change, result, pusher.seqs.last if pusher.seqs.last > first else None)
    cache.logs.append(log)
    applied[change.change_id] = Logged(change.record_type, change.record_id, log["result"])
    return result


def _state(record: Record) -> dict[str, Any]:
    state = {name: getattr(record, name) for name in RECORD_STATE}
    return {name: dict(v) if isinstance(v, dict) else v for name, v in state.items()}


def _undo(
    session: Session, change: Change, record: Record | None, before: dict[str, Any] | None
) -> None:
    """Put back what a refused change wrote: its record's state, or the record it made."""
    if record is not None and before is not None:
        for name, value in before.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
        return
    created = lookups.find(session, change.record_type, change.record_id)
    if created is not None:
        lookups.forget(session, created)


def _push_one(pusher: _Pusher, change: Change) -> ChangeResult:
    """The careful way: a savepoint and a flush for this change alone."""
    session = pusher.session
    stored = session.scalar(select(ChangeLog).where(ChangeLog.change_id == change.change_id))
    if stored is not None:
        return _duplicate(change, stored.record_type, stored.record_id, stored.result)
    first = pusher.seqs.last
    try:
        with session.begin_nested():
            result = _apply(pusher, change)
            seq = pusher.seqs.last if pusher.seqs.last > first else None
            session.add(ChangeLog(**_log(pusher, change, result, seq)))
            session.flush()
    except WireError as error:
        return _rejected(change, str(error), permanent=True)
    except Rejected as error:
        return _rejected(change, str(error), permanent=error.permanent)
    except SQLAlchemyError as error:
        logger.warning("change not applied: %s", type(error).__name__)
        return _rejected(change, "the server could not store this change", permanent=False)
    return result


def _apply(
    pusher: _Pusher, change: Change, record: Record | None | Unread = UNREAD
) -> ChangeResult:
    if change.recorded_at.tzinfo is None:
        raise WireError("recorded_at must carry a time zone")
    parsed = None if pusher.parsed is None else pusher.parsed.get(id(change))
    if isinstance(parsed, WireError):
        raise parsed
    values = (
        dict(parsed)
        if parsed is not None
        else parse_fields(change.record_type, change.record_id, change.fields)
    )
    return apply_change(pusher.session, pusher.seqs, pusher.author, change, values, record)


def _duplicate(
    change: Change, record_type: str, record_id: uuid.UUID, result: dict[str, Any]
) -> ChangeResult:
    if (record_type, record_id) != (change.record_type, change.record_id):
        return _rejected(change, OTHER_RECORD, permanent=True)
    return ChangeResult.model_validate({**result, "status": "duplicate"})


def _log(pusher: _Pusher, change: Change, result: ChangeResult, seq: int | None) -> dict[str, Any]:
    """The change-log row of an applied change (its idempotency key and who did it)."""
    return {
        "change_id": change.change_id,
        "seq": seq,
        "record_type": change.record_type,
        "record_id": change.record_id,
        "version": result.version,
        "device_id": pusher.author.device_id,
        "user_id": pusher.user_id,
        "recorded_at": change.recorded_at,
        "result": _stored_result(result),
        "received_at": pusher.received_at,
    }


def _stored_result(result: ChangeResult) -> dict[str, Any]:
    """``result.model_dump(mode="json")`` read from its fields (a fifth of the cost; a
    seeding push logs thousands: tests/server/test_seed_fast_paths.py)."""
    values = result.__dict__
    conflict_id = values["conflict_id"]
    return {
        "change_id": str(values["change_id"]),
        "status": values["status"],
        "version": values["version"],
        "conflict_id": None if conflict_id is None else str(conflict_id),
        "error": values["error"],
        "permanent": values["permanent"],
    }


def _rejected(change: Change, message: str, *, permanent: bool) -> ChangeResult:
    return ChangeResult(
        change_id=change.change_id, status="rejected", error=message, permanent=permanent
    )
