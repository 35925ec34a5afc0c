"""Pushing the outbox: in local order, in batches, each change acknowledged exactly once.

Before a batch is sent, the highest ``seq`` it holds is committed as the outbox's *sent
mark* (``app.sync.capture.SENT_THROUGH`` in ``sync_state``): a row at or under it may
have reached the server, so capture never merges a later edit into it (a resend must
carry exactly what was sent) and it is resent as it is. If the reply is lost the next
sync resends those rows with the same ``change_id``: the server answers ``duplicate``
with the stored result, so nothing is applied twice. Results are processed in one local
transaction per batch; a permanently rejected change is quarantined with its reason and
the rest of the queue goes on. The bases of applied and duplicate changes are written in
groups (``SETTLE_ROWS``); the changes themselves leave the outbox at the end of the
push, or at a group once they are nearly all of it, by emptying the table with the few other
rows put back as they were. The mark goes back to 0 with them when every batch was
answered.

Issue 23: the outbox is read as stored text and the request written from it (the
``fields`` columns are JSON already: nothing is parsed or validated again). The next
batch is read and written while this one travels, and travels while this one's answers
are settled (in the transaction that reads the one after), so the laptop's work and the
server's overlap on two cores; that work starts once the request has left (``_start``),
so it does not hold the GIL while the request is written. A batch shorter than the batch
size was all there was: no read-ahead follows it, and the last batch's answers are settled
in the transaction that writes the acknowledgements (a one-batch push: 2 write
transactions, 4 before; item 4).
Parents still reach the server first: a batch is sent only once the server answered the
one before. Rows were marked ``inflight`` one by one before (a rewrite of every page of
the batch, about a quarter of the laptop's CPU per change); the one-row mark replaced
that; ``inflight`` rows an older version left are still read and resent as before.
"""

from __future__ import annotations

import json
import threading
import uuid
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine

from app.models import OutboxState
from app.sync.capture import SENT_THROUGH, sent_through
from app.sync.client import SyncClient
from app.sync.errors import ClientTooOld, DeviceRevoked, Throttled, Unauthorized
from app.sync.state import put
from passerelle_core.protocol import MAX_PUSH_CHANGES, Change, ChangeResult, PushResponse

SENDABLE = (OutboxState.PENDING, OutboxState.INFLIGHT)
REFUSED_UNREAD = (ClientTooOld, DeviceRevoked, Unauthorized, Throttled)
"""Answers given before the server looks at the changes: nothing of the batch applied."""
PUSH_PATH = "/api/v1/push"
JSON_HEADERS = {"Content-Type": "application/json"}
_READ = (
    "SELECT seq, change_id, record_type, record_id, op, base_version, fields, base_fields,"
    " case_id, recorded_at, state FROM sync_outbox INDEXED BY ix_sync_outbox_waiting"
    " WHERE seq > ? AND state IN ('pending', 'inflight') ORDER BY seq LIMIT ?"
)
"""One range of ``ix_sync_outbox_waiting`` (the waiting rows by ``seq``, migration 0018;
its condition is this one, word for word): read from the cursor, stop at the limit. Through
the state index SQLite read and sorted every waiting row after the cursor for each batch
(O(N^2 / batch) for a seeding push); in ``seq`` order through the table it stepped over
every quarantined row on its way (14 ms a batch past 50,000 of them; issue 23 item 3)."""
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
_FEW = 16
_KEY = itemgetter(1)
"""Bases are sorted by record id alone (stable): four times cheaper than by (type, id),
and each type's part of ``sync_base`` is still walked in key order."""
SETTLE_ROWS = 25_000
"""Acknowledged changes' bases are written in groups of about this many rather than batch
by batch (issue 23, item 3); the changes leave the outbox at such a group only when they
are nearly all of it (then the table is emptied in one statement), else at the end of the push.
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


class _Row(NamedTuple):
    """An outbox row as stored: UUIDs as hex text, ``fields`` as JSON text (a tuple: ten
    times cheaper to make than a frozen dataclass, a few microseconds a change)."""

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


class _Sent(NamedTuple):
    """What settling needs of a row sent (the change itself is in the batch's body)."""

    seq: int
    change_id: str
    record_type: str
    record_id: str
    base_version: int | None
    fields: str  # read again only when its parent was refused


@dataclass(frozen=True)
class _Batch:
    rows: list[_Sent]
    body: bytes
    departed: threading.Event = field(default_factory=threading.Event, compare=False)
    """Set once the request's body is handed to the connection, or its send ended
    (``_start``'s callback)."""

    @property
    def last(self) -> int:
        return self.rows[-1].seq


class _Departing:
    """A batch's body as httpx sends it (with its length: not chunked), telling when it is
    all handed to the connection. Iterable again: a broken connection's resend reads it."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch

    def __iter__(self) -> Iterator[bytes]:
        yield self.batch.body
        self.batch.departed.set()


def _start(sender: ThreadPoolExecutor, client: SyncClient, batch: _Batch) -> Future[PushResponse]:
    """Send ``batch`` in the sending thread and wait until its request has left (or the
    send ended): this thread's next work (settling, reading the next batch: Python that
    holds the GIL) would otherwise delay the request's writing by a switch interval (5 ms)
    or more at each of its steps, while the server waits for it."""
    sending = sender.submit(_send, client, batch)
    sending.add_done_callback(lambda _done: batch.departed.set())
    batch.departed.wait()
    return sending


def push_outbox(
    engine: Engine, client: SyncClient, batch_size: int = MAX_PUSH_CHANGES
) -> PushOutcome:
    """Send every pending and inflight change once, oldest first."""
    outcome = PushOutcome()
    size = min(batch_size, MAX_PUSH_CHANGES)
    with engine.begin() as connection:
        floor = sent_through(connection)  # rows at or under it may have been applied
        batch = _take(connection, 0, size)
        if batch is None:
            if floor:  # nothing waits: nothing sent is left unanswered
                put(connection, SENT_THROUGH, None)
            return outcome
    acknowledged = _Acknowledged()
    # The server may hold every row up to ``reached`` (batches sent), up to ``before``
    # without the batch in flight (what a refusal of that batch, unread, leaves).
    before, reached = floor, max(floor, batch.last)
    finished = False
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="push") as sender:
        sending = _start(sender, client, batch)
        following: _Batch | None = None
        if len(batch.rows) == size:  # a shorter batch was all there was: no read-ahead
            with engine.begin() as connection:
                following = _take(connection, batch.last, size)  # ready for the answer
        try:
            while True:
                try:
                    response = sending.result()
                except REFUSED_UNREAD:
                    reached = before  # the server read none of this batch
                    raise
                outcome.sent += len(batch.rows)
                if following is not None:
                    before, reached = reached, max(reached, following.last)
                    sending = _start(sender, client, following)
                # While the next batch is merged: this one's answers, then the one after,
                # in one transaction (one commit a batch); the last batch's answers with
                # the acknowledgements (issue 23, item 4: a one-batch push writes twice).
                after = None
                with engine.begin() as connection:
                    _settle_all(connection, batch, response, outcome, acknowledged)
                    if following is None:  # every batch sent was answered: mark back to 0
                        _acknowledge(connection, acknowledged, final=True, sent_mark=0)
                    else:
                        after = _take(connection, following.last, size)
                if following is None:
                    finished = True  # answers and acknowledgements committed together
                    return outcome
                if len(acknowledged.done) - acknowledged.written >= SETTLE_ROWS:
                    _write_acknowledged(engine, acknowledged, final=False)
                batch, following = following, after
        finally:
            if not finished:
                # A batch read ahead but never sent is free again; one sent keeps its mark.
                _write_acknowledged(engine, acknowledged, sent_mark=reached)


def _send(client: SyncClient, batch: _Batch) -> PushResponse:
    # A resend is answered from the stored results (change ids): safe to repeat.
    headers = {**JSON_HEADERS, "Content-Length": str(len(batch.body))}
    return client.call(
        "POST", PUSH_PATH, PushResponse, content=_Departing(batch), headers=headers, retry=True
    )


def _take(connection: Connection, after: int, size: int) -> _Batch | None:
    """The next rows, under the sent mark (raised in the caller's transaction, committed
    before they are sent): from then on capture leaves them as they are. Read through the
    driver's cursor: SQLAlchemy's row objects cost more than the read (issue 23)."""
    cursor = connection.connection.cursor()
    try:
        stored = cursor.execute(_READ, (after, size)).fetchall()
    finally:
        cursor.close()
    if not stored:
        return None
    rows = [_Sent(row[0], row[1], row[2], row[3], row[5], row[6]) for row in stored]
    if rows[-1].seq > sent_through(connection):
        put(connection, SENT_THROUGH, str(rows[-1].seq))
    return _Batch(rows, _body(stored))


def _body(stored: list[Any]) -> bytes:
    """``request_body`` of rows as the driver reads ``_READ``: the common stored forms
    (32-hex ids, whole numbers, naive UTC times with microseconds) written inline, any
    other row the careful way; the same bytes (tests/sync/test_push_wire_text.py). Written
    by SQLite instead (printf or ||), it cost more CPU than this."""
    names: dict[str, str] = {}
    parts: list[str] = []
    append = parts.append
    for row in stored:
        _seq, change, kind, record, op, base, fields, base_fields, case, at, _state = row
        if not (
            len(change) == 32
            and len(record) == 32
            and (case is None or len(case) == 32)
            and (base is None or type(base) is int)
            and at[19:20] == "."
            and at[20:].isdigit()
        ):
            append(_change_text(_Row(*row)))
            continue
        quoted_kind = names.get(kind)
        if quoted_kind is None:
            quoted_kind = names[kind] = json.dumps(kind)
        quoted_op = names.get(op)
        if quoted_op is None:
            quoted_op = names[op] = json.dumps(op)
        case_text = (
            "null"
            if case is None
            else f'"{case[:8]}-{case[8:12]}-{case[12:16]}-{case[16:20]}-{case[20:]}"'
        )
        append(
            f'{{"change_id":"{change[:8]}-{change[8:12]}-{change[12:16]}-{change[16:20]}-'
            f'{change[20:]}","record_type":{quoted_kind},"record_id":"{record[:8]}-'
            f'{record[8:12]}-{record[12:16]}-{record[16:20]}-{record[20:]}","op":{quoted_op},'
            f'"base_version":{"null" if base is None else base},"fields":{fields or "{}"},'
            f'"base_fields":{base_fields or "{}"},"case_id":{case_text},'
            f'"recorded_at":"{at.replace(" ", "T", 1)}Z"}}'
        )
    return ('{"changes":[' + ",".join(parts) + "]}").encode()


def request_body(rows: Sequence[_Row]) -> bytes:
    """``PushRequest`` JSON written from the stored text (the same request as
    ``PushRequest(changes=[...]).model_dump_json()``, tests/sync/test_push_laptop.py)."""
    return ('{"changes":[' + ",".join(map(_change_text, rows)) + "]}").encode()


def _change_text(row: _Row) -> str:
    case = "null" if row.case_id is None else f'"{_dashed(row.case_id)}"'
    base = "null" if row.base_version is None else str(int(row.base_version))
    return (
        f'{{"change_id":"{_dashed(row.change_id)}","record_type":{json.dumps(row.record_type)},'
        f'"record_id":"{_dashed(row.record_id)}","op":{json.dumps(row.op)},'
        f'"base_version":{base},"fields":{row.fields or "{}"},'
        f'"base_fields":{row.base_fields or "{}"},"case_id":{case},'
        f'"recorded_at":"{_instant(row.recorded_at)}"}}'
    )


def _dashed(value: str) -> str:
    if len(value) != 32:
        return str(uuid.UUID(value))
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _instant(stored: str) -> str:
    """A stored naive UTC time (``2026-12-07 07:13:03.173993``) in ISO 8601 with its zone."""
    text = stored.replace(" ", "T", 1)
    tail = text[19:]
    return text if ("+" in tail or "-" in tail or tail.endswith("Z")) else text + "Z"


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
    refused: dict[str, str] | None = None  # creations refused for good, read once a push
    written: int = 0  # len(done) when the last group was written
    outbox_floor: int = 0  # the outbox's size when last counted (it grows, bar our removals)
    bases: dict[bool, list[tuple[str, str, int]]] = field(
        default_factory=lambda: {True: [], False: []}
    )


def _write_acknowledged(
    engine: Engine, acknowledged: _Acknowledged, final: bool = True, sent_mark: int = 0
) -> None:
    """Write the bases noted so far; remove the answered rows from the outbox when this is
    the end of the push (``final``) or when emptying the table is the cheap way. At the
    end the sent mark becomes ``sent_mark``: 0 when every batch was answered; else the
    last row the server may hold (a batch read ahead but never sent is free again).

    Between groups the answered rows stay inflight unless they are nearly all the outbox
    (``_nearly_all``): a seeding push's rows then leave it at the end in one emptying of
    the table instead of one deletion per row in each random-keyed index. A crash before
    that leaves them inflight: resent, answered as duplicates, nothing applied twice."""
    if not final and not acknowledged.done and not any(acknowledged.bases.values()):
        return
    with engine.begin() as connection:
        _acknowledge(connection, acknowledged, final, sent_mark)
    acknowledged.bases = {True: [], False: []}
    acknowledged.written = len(acknowledged.done)


def _acknowledge(
    connection: Connection, acknowledged: _Acknowledged, final: bool, sent_mark: int
) -> None:
    """``_write_acknowledged`` in the caller's transaction (the last batch's settling);
    the bases noted are forgotten by the caller once it committed."""
    answered = len(acknowledged.done)
    if final and sent_through(connection) != sent_mark:
        put(connection, SENT_THROUGH, str(sent_mark) if sent_mark else None)
    if not final and answered * (_FEW + 1) >= acknowledged.outbox_floor * _FEW:
        acknowledged.outbox_floor = _outbox_size(connection)
    if final or _nearly_all(answered, acknowledged.outbox_floor):
        _remove_done(connection, acknowledged.done)
        acknowledged.done = array("q")
        acknowledged.outbox_floor = 0
    for replace, values in acknowledged.bases.items():
        if values:  # in key order: each page of sync_base written once
            values.sort(key=_KEY)
            connection.exec_driver_sql(_BASE_REPLACE if replace else _BASE_KEEP, values)


def _outbox_size(connection: Connection) -> int:
    return int(connection.exec_driver_sql(_COUNT_ALL).scalar_one())


def _most(answered: int, total: int) -> bool:
    """Are the answered rows most of the outbox (at most half as many others)? Then
    emptying the table and putting the others back costs less than deleting row by row."""
    return answered > 0 and (total - answered) * 2 <= answered


def _nearly_all(answered: int, total: int) -> bool:
    """Between groups, are the answered rows nearly all the outbox (at most one other row
    for ``_FEW`` of them)? An emptying then reads the others aside and writes them back:
    at "most of it" (``_most``) a seeding push's emptying at two thirds put back a third of
    its outbox, to be removed again at the end (issue 23: 1.5 s of 9 at 136,000 changes).
    The outbox is counted only when they may be: it only grows meanwhile (a count is a
    scan of the state index, about a million entries for a seeding push at 50k)."""
    return answered > 0 and (total - answered) * _FEW <= answered


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
        cursor = connection.connection.cursor()
        try:
            stored = cursor.execute(_ALL_SEQS).fetchall()
        finally:
            cursor.close()
        others = [seq for (seq,) in stored if seq not in answered]
        if len(others) * 2 <= len(done):
            kept: list[tuple[Any, ...]] = []
            width = 0
            cursor = connection.connection.cursor()
            try:
                for start in range(0, len(others), _CHUNK):
                    chunk = others[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    cursor.execute(f"SELECT * FROM sync_outbox WHERE seq IN ({marks})", chunk)
                    width = len(cursor.description)
                    kept.extend(cursor.fetchall())
            finally:
                cursor.close()
            connection.exec_driver_sql(_EMPTY)
            if kept:
                marks = ",".join("?" * width)
                connection.exec_driver_sql(f"INSERT INTO sync_outbox VALUES ({marks})", kept)
            return
    connection.exec_driver_sql(_DONE, [(seq,) for seq in done])


def _settle_all(
    connection: Connection,
    batch: _Batch,
    response: PushResponse,
    outcome: PushOutcome,
    acknowledged: _Acknowledged,
) -> None:
    """A batch's answers: done rows and bases noted in ``acknowledged`` (written by
    executemany with others); refusals and unanswered rows settled one by one."""
    results = {result.change_id.hex: result for result in response.results}
    done = acknowledged.done
    bases = acknowledged.bases
    replaced = bases[True]
    retried: list[tuple[_Sent, ChangeResult | None]] = []
    applied = 0
    for row in batch.rows:
        result = results.get(row.change_id) or results.get(uuid.UUID(row.change_id).hex)
        if result is not None and result.status == "applied":  # nearly every answer
            applied += 1
            done.append(row.seq)
            if result.version is not None:
                # Nothing else changed on the server in between: our copy is that version.
                replaced.append((row.record_type, row.record_id, result.version))
            continue
        outcome.count(result)
        if result is None or (result.status == "rejected" and not result.permanent):
            retried.append((row, result))
            continue
        if result.status == "rejected":
            connection.exec_driver_sql(
                _REFUSED, (OutboxState.QUARANTINED.value, result.error, row.seq)
            )
            _note_refused(acknowledged, row, result.error)
            continue
        done.append(row.seq)
        if result.version is None:
            continue
        if result.status == "duplicate" and row.base_version is None:
            bases[False].append((row.record_type, row.record_id, result.version))
        # merged / conflict: other devices' fields are not here yet; the pull brings
        # them with the new version, so the base stays where it was until then.
    outcome.applied += applied
    if retried:
        _settle_retried(connection, retried, outcome, acknowledged)


def _note_refused(acknowledged: _Acknowledged, row: _Sent, error: str | None) -> None:
    """A creation refused for good joins the push's list of them (when it was read)."""
    if acknowledged.refused is not None and row.base_version is None:
        acknowledged.refused[_dashed(row.record_id)] = error or ""


def _settle_retried(
    connection: Connection,
    retried: list[tuple[_Sent, ChangeResult | None]],
    outcome: PushOutcome,
    acknowledged: _Acknowledged,
) -> None:
    """Changes refused for now are sent again next time, but for a record that needs a
    record the server refused for good (a note of a psychologist-only session pushed by
    an administrator): it can only wait as long as its parent, so it joins it among the
    refused changes, shown with the parent's reason, and goes again with "Send again"."""
    if acknowledged.refused is None:
        # Read once a push, then kept up to date: read for every batch with a retried
        # change, it cost O(refused) a batch, O(N^2) for a seeding push (issue 23, item 3).
        acknowledged.refused = _refused_creations(connection)
    refused = acknowledged.refused
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
            _note_refused(acknowledged, row, parent_error)
        else:
            connection.exec_driver_sql(_REFUSED, (OutboxState.PENDING.value, result.error, row.seq))


def _refused_creations(connection: Connection) -> dict[str, str]:
    """Records the server never received because it refused their creation for good,
    by their id in wire form, with the reason."""
    return {
        _dashed(record_id): error or ""
        for record_id, error in connection.exec_driver_sql(_REFUSED_CREATIONS)
    }


def _refused_parent(row: _Sent, refused: dict[str, str]) -> str | None:
    if not refused:
        return None
    fields = json.loads(row.fields or "{}")
    for value in fields.values():
        if isinstance(value, str) and value in refused:
            return refused[value]
    return None
