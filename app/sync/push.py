"""Pushing the outbox: in local order, in batches, each change acknowledged exactly once.

A batch is marked ``inflight`` (committed) before it is sent. If the reply is lost
the rows stay inflight and the next sync resends them with the same ``change_id``: the
server answers ``duplicate`` with the stored result, so nothing is applied twice.
Results are processed in one local transaction per batch; a permanently rejected
change is quarantined with its reason and the rest of the queue goes on. The bases of
applied and duplicate changes are written in groups (``SETTLE_ROWS``); the changes
themselves leave the outbox at the end of the push, or at a group once they are most of
it, by emptying the table with the few other rows put back as they were. Until then they
stay inflight, which is what a lost reply leaves too.

Issue 23: the outbox is read as stored text and the request written from it (the
``fields`` columns are JSON already: nothing is parsed or validated again). The next
batch is read and written while this one travels, and travels while this one's answers
are settled, so the laptop's work and the server's overlap on two cores. Parents still
reach the server first: a batch is sent only once the server answered the one before.
"""

from __future__ import annotations

import json
import uuid
from array import array
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from app.models import OutboxState
from app.sync.client import SyncClient
from app.sync.errors import ClientTooOld, DeviceRevoked, Throttled, Unauthorized
from passerelle_core.protocol import MAX_PUSH_CHANGES, Change, ChangeResult, PushResponse

SENDABLE = (OutboxState.PENDING, OutboxState.INFLIGHT)
REFUSED_UNREAD = (ClientTooOld, DeviceRevoked, Unauthorized, Throttled)
"""Answers given before the server looks at the changes: nothing of the batch applied."""
PUSH_PATH = "/api/v1/push"
JSON_HEADERS = {"Content-Type": "application/json"}
_READ = (
    "SELECT seq, change_id, record_type, record_id, op, base_version, fields, base_fields,"
    " case_id, recorded_at, state FROM sync_outbox"
    " WHERE seq > ? AND +state IN ('pending', 'inflight') ORDER BY seq LIMIT ?"
)
"""``+state``: read in ``seq`` order from the cursor and stop at the limit. Through the
state index SQLite read and sorted every waiting row after the cursor for each batch:
a seeding push of N changes cost O(N^2 / batch) (issue 23, item 3)."""
_MARK = "UPDATE sync_outbox SET state = 'inflight' WHERE seq BETWEEN ? AND ? AND state = 'pending'"
_UNMARK = "UPDATE sync_outbox SET state = 'pending' WHERE seq = ? AND state = 'inflight'"
_DONE = "DELETE FROM sync_outbox WHERE seq = ?"
_REFUSED = "UPDATE sync_outbox SET state = ?, error = ?, attempts = attempts + 1 WHERE seq = ?"
_BASE_REPLACE = (
    "INSERT INTO sync_base (record_type, record_id, version) VALUES (?, ?, ?)"
    " ON CONFLICT (record_type, record_id) DO UPDATE SET version = excluded.version"
    " WHERE sync_base.version IS NOT excluded.version"
)
_BASE_KEEP = (
    "INSERT INTO sync_base (record_type, record_id, version) VALUES (?, ?, ?)"
    " ON CONFLICT (record_type, record_id) DO NOTHING"
)
_COUNT_ALL = "SELECT count(*) FROM sync_outbox"
_ALL_SEQS = "SELECT seq FROM sync_outbox"
"""Read through the smallest index that holds ``seq`` (the state index), not the rows."""
_EMPTY = "DELETE FROM sync_outbox"
"""No condition and no trigger: SQLite's truncate optimisation frees the table's and its
indexes' pages whole instead of deleting entry by entry."""
_CHUNK = 500
SETTLE_ROWS = 25_000
"""Acknowledged changes' bases are written in groups of about this many rather than batch
by batch (issue 23, item 3); the changes leave the outbox at such a group only when they
are most of it (then the table is emptied in one statement), else at the end of the push.
Deleting them row by row touched a page of each random-keyed index (change id, record,
case) per row once the outbox outgrew the page cache: the cost per change grew with the
outbox. A crash before they leave leaves them inflight: the next sync sends them again
and the server answers them as duplicates (their stored results), so nothing is applied
twice and nothing is lost."""
_REFUSED_CREATIONS = (
    "SELECT record_id, error FROM sync_outbox WHERE state = 'quarantined' AND base_version IS NULL"
)


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


@dataclass(frozen=True)
class _Row:
    """An outbox row as stored: UUIDs as hex text, ``fields`` as JSON text."""

    seq: int
    change_id: str
    record_type: str
    record_id: str
    op: str
    base_version: int | None
    fields: str
    base_fields: str
    case_id: str | None
    recorded_at: str
    state: str


@dataclass(frozen=True)
class _Batch:
    rows: list[_Row]
    body: bytes

    @property
    def fresh(self) -> list[int]:
        """Rows never sent before this batch (the others may have been applied)."""
        return [row.seq for row in self.rows if row.state == OutboxState.PENDING.value]


def push_outbox(
    engine: Engine, client: SyncClient, batch_size: int = MAX_PUSH_CHANGES
) -> PushOutcome:
    """Send every pending and inflight change once, oldest first."""
    outcome = PushOutcome()
    size = min(batch_size, MAX_PUSH_CHANGES)
    batch = _take(engine, 0, size)
    if batch is None:
        return outcome
    acknowledged = _Acknowledged()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push") as sender:
        sending: Future[PushResponse] = sender.submit(_send, client, batch)
        following = _take(engine, batch.rows[-1].seq, size)  # ready when the answer comes
        try:
            while True:
                try:
                    response = sending.result()
                except BaseException as error:
                    # The next batch was never sent: its new rows are simply pending again.
                    # Refused before anything was read: so are this batch's (rows already
                    # inflight stay so: they may have been applied).
                    unsent = following.fresh if following is not None else []
                    if isinstance(error, REFUSED_UNREAD):
                        unsent = batch.fresh + unsent
                    _unmark(engine, unsent)
                    raise
                outcome.sent += len(batch.rows)
                if following is not None:
                    sending = sender.submit(_send, client, following)
                # While the next batch is merged: this one's answers, then the one after.
                _settle_batch(engine, batch, response, outcome, acknowledged)
                if following is None:
                    return outcome
                if len(acknowledged.done) - acknowledged.written >= SETTLE_ROWS:
                    _write_acknowledged(engine, acknowledged, final=False)
                batch = following
                following = _take(engine, batch.rows[-1].seq, size)
        finally:
            _write_acknowledged(engine, acknowledged)


def _send(client: SyncClient, batch: _Batch) -> PushResponse:
    # A resend is answered from the stored results (change ids): safe to repeat.
    return client.call(
        "POST", PUSH_PATH, PushResponse, content=batch.body, headers=JSON_HEADERS, retry=True
    )


def _take(engine: Engine, after: int, size: int) -> _Batch | None:
    """The next rows, marked inflight and committed before they are sent."""
    with engine.begin() as connection:
        rows = [_Row(*row) for row in connection.exec_driver_sql(_READ, (after, size))]
        if not rows:
            return None
        if any(row.state == OutboxState.PENDING.value for row in rows):
            connection.exec_driver_sql(_MARK, (rows[0].seq, rows[-1].seq))
    return _Batch(rows, request_body(rows))


def request_body(rows: Sequence[_Row]) -> bytes:
    """``PushRequest`` JSON written from the stored text (the same request as
    ``PushRequest(changes=[...]).model_dump_json()``, tests/sync/test_push_laptop.py)."""
    names: dict[str, str] = {}
    parts = []
    for row in rows:
        kind = names.get(row.record_type)
        if kind is None:
            kind = names[row.record_type] = json.dumps(row.record_type)
        case = "null" if row.case_id is None else f'"{_dashed(row.case_id)}"'
        base = "null" if row.base_version is None else str(int(row.base_version))
        parts.append(
            f'{{"change_id":"{_dashed(row.change_id)}","record_type":{kind},'
            f'"record_id":"{_dashed(row.record_id)}","op":{json.dumps(row.op)},'
            f'"base_version":{base},"fields":{row.fields or "{}"},'
            f'"base_fields":{row.base_fields or "{}"},"case_id":{case},'
            f'"recorded_at":"{_instant(row.recorded_at)}"}}'
        )
    return ('{"changes":[' + ",".join(parts) + "]}").encode()


def _dashed(value: str) -> str:
    if len(value) != 32:
        return str(uuid.UUID(value))
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _instant(stored: str) -> str:
    """A stored naive UTC time (``2026-12-07 07:13:03.173993``) in ISO 8601 with its zone."""
    text = stored.replace(" ", "T", 1)
    tail = text[19:]
    return text if ("+" in tail or "-" in tail or tail.endswith("Z")) else text + "Z"


def _unmark(engine: Engine, seqs: list[int]) -> None:
    if seqs:
        with engine.begin() as connection:
            connection.exec_driver_sql(_UNMARK, [(seq,) for seq in seqs])


def _change(row: Any) -> Change:
    """A row of ``select(OUTBOX)`` as a protocol ``Change`` (bench/push.py, tests)."""
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


@dataclass
class _Acknowledged:
    """Answered changes not yet removed from the outbox (still inflight there), and the
    bases their results give, kept in answer order."""

    done: array[int] = field(default_factory=lambda: array("q"))
    written: int = 0  # len(done) when the last group was written
    outbox_floor: int = 0  # the outbox's size when last counted (it grows, bar our removals)
    bases: dict[bool, list[tuple[str, str, int]]] = field(
        default_factory=lambda: {True: [], False: []}
    )


def _write_acknowledged(engine: Engine, acknowledged: _Acknowledged, final: bool = True) -> None:
    """Write the bases noted so far; remove the answered rows from the outbox when this is
    the end of the push (``final``) or when emptying the table is the cheap way.

    Between groups the answered rows stay inflight unless they are most of the outbox: a
    seeding push's rows then leave it at the end in one emptying of the table instead of
    one deletion per row in each random-keyed index. A crash before that leaves them
    inflight: resent, answered as duplicates, nothing applied twice."""
    if not acknowledged.done and not any(acknowledged.bases.values()):
        return
    answered = len(acknowledged.done)
    with engine.begin() as connection:
        if not final and answered * 3 >= acknowledged.outbox_floor * 2:
            acknowledged.outbox_floor = _outbox_size(connection)
        if final or _most(answered, acknowledged.outbox_floor):
            _remove_done(connection, acknowledged.done)
            acknowledged.done = array("q")
            acknowledged.outbox_floor = 0
        for replace, values in acknowledged.bases.items():
            if values:  # in key order: each page of sync_base written once
                values.sort(key=lambda base: (base[0], base[1]))
                connection.exec_driver_sql(_BASE_REPLACE if replace else _BASE_KEEP, values)
    acknowledged.bases = {True: [], False: []}
    acknowledged.written = len(acknowledged.done)


def _outbox_size(connection: Connection) -> int:
    return int(connection.exec_driver_sql(_COUNT_ALL).scalar_one())


def _most(answered: int, total: int) -> bool:
    """Are the answered rows most of the outbox (at most half as many others)? Between
    groups the outbox is counted only when they may be: it only grows meanwhile (a count
    is a scan of the state index, about a million entries for a seeding push at 50k)."""
    return answered > 0 and (total - answered) * 2 <= answered


def _emptying_pays(connection: Connection, answered: int) -> bool:
    return answered > 0 and _most(answered, _outbox_size(connection))


def _remove_done(connection: Connection, done: Sequence[int]) -> None:
    """Delete the answered rows. When they are most of the outbox (a seeding push), the
    others are read aside, the table is emptied in one statement (SQLite frees its pages
    without visiting each index entry) and they are put back as they were: same ``seq``,
    change id, payload, state, error and attempts (the ``sqlite_sequence`` high mark is
    kept by the emptying, so no ``seq`` is ever given twice). One transaction: a crash
    leaves the old outbox or the new one."""
    if not done:
        return
    if _emptying_pays(connection, len(done)):
        answered = set(done)
        others = [seq for (seq,) in connection.exec_driver_sql(_ALL_SEQS) if seq not in answered]
        if len(others) * 2 <= len(done):
            kept: list[tuple[Any, ...]] = []
            width = 0
            for start in range(0, len(others), _CHUNK):
                chunk = others[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                result = connection.exec_driver_sql(
                    f"SELECT * FROM sync_outbox WHERE seq IN ({marks})", tuple(chunk)
                )
                width = len(result.keys())
                kept.extend(tuple(row) for row in result)
            connection.exec_driver_sql(_EMPTY)
            if kept:
                marks = ",".join("?" * width)
                connection.exec_driver_sql(f"INSERT INTO sync_outbox VALUES ({marks})", kept)
            return
    connection.exec_driver_sql(_DONE, [(seq,) for seq in done])


def _settle_batch(
    engine: Engine,
    batch: _Batch,
    response: PushResponse,
    outcome: PushOutcome,
    acknowledged: _Acknowledged,
) -> None:
    results = {result.change_id.hex: result for result in response.results}
    with engine.begin() as connection:
        _settle_all(connection, batch.rows, results, outcome, acknowledged)


def _settle_all(
    connection: Connection,
    rows: list[_Row],
    results: dict[str, ChangeResult],
    outcome: PushOutcome,
    acknowledged: _Acknowledged,
) -> None:
    """A batch's answers: done rows and bases noted in ``acknowledged`` (written by
    executemany with others); refusals and unanswered rows settled one by one."""
    done = acknowledged.done
    bases = acknowledged.bases
    retried: list[tuple[_Row, ChangeResult | None]] = []
    for row in rows:
        result = results.get(row.change_id) or results.get(uuid.UUID(row.change_id).hex)
        outcome.count(result)
        if result is None or (result.status == "rejected" and not result.permanent):
            retried.append((row, result))
            continue
        if result.status == "rejected":
            connection.exec_driver_sql(
                _REFUSED, (OutboxState.QUARANTINED.value, result.error, row.seq)
            )
            continue
        done.append(row.seq)
        if result.version is None:
            continue
        base = (row.record_type, row.record_id, result.version)
        if result.status == "applied":
            # Nothing else changed on the server in between: our copy is that version.
            bases[True].append(base)
        elif result.status == "duplicate" and row.base_version is None:
            bases[False].append(base)
        # merged / conflict: other devices' fields are not here yet; the pull brings
        # them with the new version, so the base stays where it was until then.
    if retried:
        _settle_retried(connection, retried, outcome)


def _settle_retried(
    connection: Connection, retried: list[tuple[_Row, ChangeResult | None]], outcome: PushOutcome
) -> None:
    """Changes refused for now are sent again next time, but for a record that needs a
    record the server refused for good (a note of a psychologist-only session pushed by
    an administrator): it can only wait as long as its parent, so it joins it among the
    refused changes, shown with the parent's reason, and goes again with "Send again"."""
    refused = _refused_creations(connection)
    for row, result in retried:
        if result is None:  # not answered (should not happen): keep it for the next sync
            connection.exec_driver_sql(_UNMARK, (row.seq,))
            continue
        parent_error = _refused_parent(row, refused)
        if parent_error is not None:
            outcome.retry -= 1
            outcome.quarantined += 1
            connection.exec_driver_sql(
                _REFUSED, (OutboxState.QUARANTINED.value, parent_error, row.seq)
            )
        else:
            connection.exec_driver_sql(_REFUSED, (OutboxState.PENDING.value, result.error, row.seq))


def _refused_creations(connection: Connection) -> dict[str, str]:
    """Records the server never received because it refused their creation for good,
    by their id in wire form, with the reason."""
    return {
        _dashed(record_id): error or ""
        for record_id, error in connection.exec_driver_sql(_REFUSED_CREATIONS)
    }


def _refused_parent(row: _Row, refused: dict[str, str]) -> str | None:
    if not refused:
        return None
    fields = json.loads(row.fields or "{}")
    for value in fields.values():
        if isinstance(value, str) and value in refused:
            return refused[value]
    return None
