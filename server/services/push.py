"""``POST /api/v1/push``: a batch merged in order, each change exactly once (issue 23).

A change already applied (same ``change_id``) returns its stored result as
``duplicate``. A refused change is reported, permanently or for a retry, while the rest
of the batch goes on. The counter lock is taken first and held to the commit, so this
transaction's sequence numbers commit in order.

The batch is merged in bulk: its records, what they refer to and its change ids are
read up front (:mod:`server.services.lookups`), each change is decided in memory in
order (conflicts and refusals exactly as before, one by one) and everything is written
in one flush. A refused change leaves nothing behind: the merge refuses before it
writes anything but the record itself, whose state is put back. Should the flush fail
(a constraint the merge did not foresee), the batch goes again the careful way: each
change in its own savepoint, flushed alone, so that one bad change costs only itself.
"""

from __future__ import annotations

import gc
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from passerelle_core.protocol import Change, ChangeResult
from passerelle_core.records import WireError
from server.core.db import write_transaction
from server.core.tables import ChangeLog, Device, Record
from server.services import lookups
from server.services.devices import Caller
from server.services.errors import AuthError, Rejected
from server.services.field_parsers import parse_fields
from server.services.merge import Author, apply_change
from server.services.sequence import SequenceAllocator

logger = logging.getLogger(__name__)
AFTER_ERASE_ORDER = "recorded after this device was told to erase its data"
REFUSED_STATUSES = {
    "revoked": "this device was revoked",
    "stolen": "this device was reported stolen",
}
OTHER_RECORD = "this change_id was used for another record"
# What the merge may change on a record before refusing the change: put back if so.
RECORD_STATE = (
    "version", "data", "field_versions", "field_devices", "deleted", "case_id", "team_id",
    "assigned_staff_id", "restricted", "seq",
)  # fmt: skip


@dataclass(frozen=True)
class Logged:
    """What a duplicate needs of the change it repeats."""

    record_type: str
    record_id: uuid.UUID
    result: dict[str, Any]


@dataclass(frozen=True)
class _Pusher:
    """Who pushes, and the transaction's sequence numbers."""

    session: Session
    seqs: SequenceAllocator
    author: Author
    user_id: uuid.UUID


def push(
    session: Session, caller: Caller, changes: list[Change], *, bulk: bool = True
) -> list[ChangeResult]:
    """Merge ``changes`` in order; ``bulk=False`` takes the careful way for the whole
    batch (what a failed bulk flush falls back to; bench/push.py compares the two)."""
    with write_transaction(session):
        seqs = SequenceAllocator(session)
        # Checked again under the lock: a device revoked a moment ago pushes nothing.
        device = session.get(Device, caller.device_id, populate_existing=True)
        status = device.status if device is not None else "revoked"
        refusal = REFUSED_STATUSES.get(status)
        ordered = _last_push(device) if device is not None and status == "wipe" else None
        pusher = _Pusher(session, seqs, Author(caller.device_id, caller.viewer), caller.user_id)
        refused: dict[int, ChangeResult] = {}
        for number, change in enumerate(changes):
            if refusal is not None:
                refused[number] = _rejected(change, refusal, permanent=True)
            elif ordered is not None and change.recorded_at > ordered:
                refused[number] = _rejected(change, AFTER_ERASE_ORDER, permanent=True)
        todo = [c for n, c in enumerate(changes) if n not in refused]
        if bulk and todo:
            with _no_cycle_collection():
                answers = _merge_batch(pusher, todo)
        else:
            answers = [_push_one(pusher, change) for change in todo]
        merged = iter(answers)
        results = [refused[n] if n in refused else next(merged) for n in range(len(changes))]
        seqs.save()
    return results


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for one batch: the thousands of objects a batch
    allocates trigger collections that walk every live object, a fifth of a batch's CPU
    (bench/push.py). Bounded: a batch is at most MAX_PUSH_CHANGES changes; whoever
    paused it (not a concurrent batch that found it paused) turns it back on."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _last_push(device: Device) -> datetime:
    """A device told to erase hands in what it recorded before the order, in one push."""
    if device.final_push_at is not None or device.wipe_ordered_at is None:
        raise AuthError("this device must erase its data", "wipe")
    device.final_push_at = utcnow()
    return device.wipe_ordered_at


def _merge_batch(pusher: _Pusher, changes: list[Change]) -> list[ChangeResult]:
    """In bulk, one flush; if that fails, again with a savepoint per change."""
    session = pusher.session
    cache = lookups.BatchRecords()
    try:
        with session.begin_nested():
            applied = lookups.applied_changes(session, [c.change_id for c in changes])
            lookups.prefetch(session, changes, cache)
            with lookups.batching(session, cache):  # writes the new records at its end
                results = [_bulk_one(pusher, cache, applied, change) for change in changes]
            cache.write_logs(session)
            session.flush()  # the updates of records that existed before the batch
        return results
    except SQLAlchemyError as error:
        logger.warning("batch merged change by change: %s", type(error).__name__)
    cache.leave(session)
    return [_push_one(pusher, change) for change in changes]


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
        result = _apply(pusher, change)
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


def _apply(pusher: _Pusher, change: Change) -> ChangeResult:
    if change.recorded_at.tzinfo is None:
        raise WireError("recorded_at must carry a time zone")
    values = parse_fields(change.record_type, change.record_id, change.fields)
    return apply_change(pusher.session, pusher.seqs, pusher.author, change, values)


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
        "result": result.model_dump(mode="json"),
        "received_at": utcnow(),
    }


def _rejected(change: Change, message: str, *, permanent: bool) -> ChangeResult:
    return ChangeResult(
        change_id=change.change_id, status="rejected", error=message, permanent=permanent
    )
