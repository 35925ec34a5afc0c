"""``POST /api/v1/push``: each change in its own savepoint, in order, exactly once.

A change already applied (same ``change_id``) returns its stored result as
``duplicate``. A change that fails is rolled back alone and reported, permanently or
for a retry, while the rest of the batch goes on. The counter lock is taken first and
held to the commit, so this transaction's sequence numbers commit in order.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from passerelle_core.protocol import Change, ChangeResult
from passerelle_core.records import WireError
from server.core.db import write_transaction
from server.core.tables import ChangeLog, Device
from server.services.devices import Caller
from server.services.errors import AuthError, Rejected
from server.services.merge import Author, apply_change
from server.services.sequence import SequenceAllocator
from server.services.wire import parse_fields

logger = logging.getLogger(__name__)
AFTER_ERASE_ORDER = "recorded after this device was told to erase its data"
REFUSED_STATUSES = {
    "revoked": "this device was revoked",
    "stolen": "this device was reported stolen",
}


def push(session: Session, caller: Caller, changes: list[Change]) -> list[ChangeResult]:
    with write_transaction(session):
        seqs = SequenceAllocator(session)
        # Checked again under the lock: a device revoked a moment ago pushes nothing.
        device = session.get(Device, caller.device_id, populate_existing=True)
        status = device.status if device is not None else "revoked"
        refusal = REFUSED_STATUSES.get(status)
        ordered = _last_push(device) if device is not None and status == "wipe" else None
        author = Author(caller.device_id, caller.viewer)
        results = []
        for change in changes:
            if refusal is not None:
                results.append(_rejected(change, refusal, permanent=True))
            elif ordered is not None and change.recorded_at > ordered:
                results.append(_rejected(change, AFTER_ERASE_ORDER, permanent=True))
            else:
                results.append(_push_one(session, seqs, author, caller.user_id, change))
        seqs.save()
    return results


def _last_push(device: Device) -> datetime:
    """A device told to erase hands in what it recorded before the order, in one push."""
    if device.final_push_at is not None or device.wipe_ordered_at is None:
        raise AuthError("this device must erase its data", "wipe")
    device.final_push_at = utcnow()
    return device.wipe_ordered_at


def _push_one(
    session: Session,
    seqs: SequenceAllocator,
    author: Author,
    user_id: uuid.UUID,
    change: Change,
) -> ChangeResult:
    stored = session.scalar(select(ChangeLog).where(ChangeLog.change_id == change.change_id))
    if stored is not None:
        if (stored.record_type, stored.record_id) != (change.record_type, change.record_id):
            return _rejected(change, "this change_id was used for another record", permanent=True)
        return ChangeResult.model_validate({**stored.result, "status": "duplicate"})
    first = seqs.last
    try:
        with session.begin_nested():
            if change.recorded_at.tzinfo is None:
                raise WireError("recorded_at must carry a time zone")
            values = parse_fields(change.record_type, change.record_id, change.fields)
            result = apply_change(session, seqs, author, change, values)
            seq = seqs.last if seqs.last > first else None
            session.add(_log(change, result, author.device_id, user_id, seq))
            session.flush()
    except WireError as error:
        return _rejected(change, str(error), permanent=True)
    except Rejected as error:
        return _rejected(change, str(error), permanent=error.permanent)
    except SQLAlchemyError as error:
        logger.warning("change not applied: %s", type(error).__name__)
        return _rejected(change, "the server could not store this change", permanent=False)
    return result


def _log(
    change: Change, result: ChangeResult, device_id: uuid.UUID, user_id: uuid.UUID, seq: int | None
) -> ChangeLog:
    received_at: datetime = utcnow()
    return ChangeLog(
        change_id=change.change_id,
        seq=seq,
        record_type=change.record_type,
        record_id=change.record_id,
        version=result.version,
        device_id=device_id,
        user_id=user_id,
        recorded_at=change.recorded_at,
        result=result.model_dump(mode="json"),
        received_at=received_at,
    )


def _rejected(change: Change, message: str, *, permanent: bool) -> ChangeResult:
    return ChangeResult(
        change_id=change.change_id, status="rejected", error=message, permanent=permanent
    )
