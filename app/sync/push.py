"""Pushing the outbox: in local order, in batches, each change acknowledged exactly once.

A batch is marked ``inflight`` (committed) before it is sent. If the reply is lost
the rows stay inflight and the next sync resends them with the same ``change_id``: the
server answers ``duplicate`` with the stored result, so nothing is applied twice.
Results are processed in one local transaction per batch; a permanently rejected
change is quarantined with its reason and the rest of the queue goes on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import OutboxState
from app.sync.client import SyncClient
from app.sync.errors import ClientTooOld, DeviceRevoked, Throttled, Unauthorized
from app.sync.state import BASE, OUTBOX
from passerelle_core.protocol import MAX_PUSH_CHANGES, Change, ChangeResult

SENDABLE = (OutboxState.PENDING, OutboxState.INFLIGHT)
SETTLE_CHUNK = 500
REFUSED_UNREAD = (ClientTooOld, DeviceRevoked, Unauthorized, Throttled)
"""Answers given before the server looks at the changes: nothing of the batch applied."""


@dataclass
class PushOutcome:
    sent: int = 0
    applied: int = 0
    merged: int = 0
    duplicates: int = 0
    conflicts: int = 0
    retry: int = 0  # refused for now (e.g. parent not there yet): sent again next time
    quarantined: int = 0

    def count(self, result: ChangeResult | None) -> None:
        status = "missing" if result is None else result.status
        if status == "applied":
            self.applied += 1
        elif status == "merged":
            self.merged += 1
        elif status == "duplicate":
            self.duplicates += 1
        elif status == "conflict":
            self.conflicts += 1
        elif result is not None and result.permanent:
            self.quarantined += 1
        else:
            self.retry += 1


def push_outbox(
    engine: Engine, client: SyncClient, batch_size: int = MAX_PUSH_CHANGES
) -> PushOutcome:
    """Send every pending and inflight change once, oldest first."""
    outcome = PushOutcome()
    after = 0
    while True:
        rows = _next_batch(engine, after, min(batch_size, MAX_PUSH_CHANGES))
        if not rows:
            return outcome
        after = rows[-1].seq
        try:
            response = client.push([_change(row) for row in rows])
        except REFUSED_UNREAD:
            # Refused before anything was read: rows never sent before are simply
            # pending again (rows already inflight stay so: they may have been applied).
            _unmark(engine, [row.seq for row in rows if row.state == OutboxState.PENDING])
            raise
        outcome.sent += len(rows)
        results = {result.change_id: result for result in response.results}
        with engine.begin() as connection:
            _settle_all(connection, rows, results, outcome)


def _next_batch(engine: Engine, after: int, size: int) -> list[Any]:
    with engine.begin() as connection:
        rows = connection.execute(
            select(OUTBOX)
            .where(OUTBOX.c.seq > after, OUTBOX.c.state.in_(SENDABLE))
            .order_by(OUTBOX.c.seq)
            .limit(size)
        ).all()
        pending = [row.seq for row in rows if row.state == OutboxState.PENDING]
        if pending:
            connection.execute(
                update(OUTBOX).where(OUTBOX.c.seq.in_(pending)).values(state=OutboxState.INFLIGHT)
            )
    return list(rows)


def _unmark(engine: Engine, seqs: list[int]) -> None:
    if seqs:
        with engine.begin() as connection:
            connection.execute(
                update(OUTBOX).where(OUTBOX.c.seq.in_(seqs)).values(state=OutboxState.PENDING)
            )


def _change(row: Any) -> Change:
    return Change(
        change_id=row.change_id,
        record_type=row.record_type,
        record_id=row.record_id,
        op=row.op,
        base_version=row.base_version,
        fields=row.fields,
        base_fields=row.base_fields,
        case_id=row.case_id,
        recorded_at=row.recorded_at,
    )


def _settle_all(
    connection: Any, rows: list[Any], results: dict[uuid.UUID, ChangeResult], outcome: PushOutcome
) -> None:
    """A batch's answers in a few statements: done rows deleted at once, bases in one
    executemany; only refusals and unanswered rows are settled one by one."""
    done: list[int] = []
    bases: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for row in rows:
        result = results.get(row.change_id)
        outcome.count(result)
        if result is None or result.status == "rejected":
            _settle(connection, row, result)
            continue
        done.append(row.seq)
        if result.version is None:
            continue
        base = {"record_type": row.record_type, "record_id": row.record_id}
        if result.status == "applied":
            # Nothing else changed on the server in between: our copy is that version.
            bases[True].append({**base, "version": result.version})
        elif result.status == "duplicate" and row.base_version is None:
            bases[False].append({**base, "version": result.version})
        # merged / conflict: other devices' fields are not here yet; the pull brings
        # them with the new version, so the base stays where it was until then.
    for start in range(0, len(done), SETTLE_CHUNK):
        connection.execute(
            delete(OUTBOX).where(OUTBOX.c.seq.in_(done[start : start + SETTLE_CHUNK]))
        )
    for replace, values in bases.items():
        if values:
            connection.execute(_base_statement(replace), values)


def _base_statement(replace: bool) -> Any:
    statement = sqlite_insert(BASE)
    if replace:
        return statement.on_conflict_do_update(
            index_elements=["record_type", "record_id"],
            set_={"version": statement.excluded.version},
        )
    return statement.on_conflict_do_nothing()


def _settle(connection: Any, row: Any, result: ChangeResult | None) -> None:
    where = OUTBOX.c.seq == row.seq
    if result is None:  # not answered (should not happen): keep it for the next sync
        connection.execute(update(OUTBOX).where(where).values(state=OutboxState.PENDING))
        return
    if result.status == "rejected":
        state = OutboxState.QUARANTINED if result.permanent else OutboxState.PENDING
        connection.execute(
            update(OUTBOX)
            .where(where)
            .values(state=state, error=result.error, attempts=OUTBOX.c.attempts + 1)
        )
        return
    connection.execute(delete(OUTBOX).where(where))
    if result.version is None:
        return
    if result.status == "applied":
        # Nothing else changed on the server in between: our copy is that version.
        _set_base(connection, row.record_type, row.record_id, result.version, replace=True)
    elif result.status == "duplicate" and row.base_version is None:
        _set_base(connection, row.record_type, row.record_id, result.version, replace=False)
    # merged / conflict: other devices' fields are not here yet; the pull brings them
    # with the new version, so the base stays where it was until then.


def _set_base(
    connection: Any, record_type: str, record_id: uuid.UUID, version: int, *, replace: bool
) -> None:
    statement = sqlite_insert(BASE).values(
        record_type=record_type, record_id=record_id, version=version
    )
    if replace:
        statement = statement.on_conflict_do_update(
            index_elements=["record_type", "record_id"], set_={"version": version}
        )
    else:
        statement = statement.on_conflict_do_nothing()
    connection.execute(statement)
