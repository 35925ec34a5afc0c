"""The answered rows leave the outbox by emptying the table when they are most of it
(issue 23): the others are put back exactly (same seq, change id, payload, state, error,
attempts), no seq is given twice afterwards, and a laptop killed (SIGKILL) inside that
transaction finds its outbox as it was before. Real SQLCipher profile files."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.services import beneficiaries
from app.store import migrate
from app.store.engine import create_keyed_engine
from app.store.keys import new_database_key
from app.sync import push
from app.sync.engine import SyncOptions
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = (
    "change_id, record_type, record_id, op, base_version, fields, base_fields, case_id,"
    " recorded_at, state, error, attempts"
)


def _profile(path: Path) -> tuple[Engine, bytes]:
    key = new_database_key()
    engine = create_keyed_engine(path, key)
    migrate.upgrade(engine)
    return engine, key


def _fill(engine: Engine, answered: int) -> tuple[list[int], list[tuple[Any, ...]]]:
    """``answered`` inflight rows, then rows of every other kind mixed among them: pending,
    quarantined with an error and attempts, inflight but not answered."""
    others = [
        ("pending", None, 0),
        ("quarantined", "refused: parent refused", 3),
        ("inflight", None, 1),
        ("pending", "parent not there yet", 2),
    ]
    rows = []
    for number in range(answered + len(others)):
        state, error, attempts = (
            others[number // 10]
            if number % 10 == 5 and number // 10 < len(others)
            else ("inflight", None, 0)
        )
        rows.append(
            (
                uuid.uuid4().hex, "note", uuid.uuid4().hex, "upsert",
                None if number % 2 else number,
                json.dumps({"body": f"n°{number} — é"}), "{}",
                uuid.uuid4().hex if number % 3 else None,
                "2026-12-07 16:00:00.123456", state, error, attempts,
            )
        )  # fmt: skip
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO sync_outbox ({COLUMNS}) VALUES ({','.join('?' * 12)})", rows
        )
    everything = _all(engine)
    done = [row[0] for row in everything if row[10] == "inflight"][: answered - 1]
    done.append(everything[-1][0])  # the last row answered too
    return done, everything


def _all(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql("SELECT * FROM sync_outbox")]


def _high_mark(engine: Engine) -> int:
    with engine.connect() as connection:
        query = "SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'"
        return int(connection.exec_driver_sql(query).scalar_one())


def test_most_answered_empties_the_table_and_keeps_the_others_exactly(tmp_path: Path) -> None:
    engine, _key = _profile(tmp_path / "cases.db")
    try:
        done, before = _fill(engine, 40)
        high = _high_mark(engine)
        statements: list[str] = []
        with engine.begin() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.set_trace_callback(statements.append)
            push._remove_done(connection, done)
            raw.set_trace_callback(None)
        assert "DELETE FROM sync_outbox" in statements  # the emptying, no per-row deletion
        assert not any("WHERE seq = " in statement for statement in statements)
        answered = set(done)
        kept = [row for row in before if row[0] not in answered]
        assert len(kept) == 4 and {row[10] for row in kept} == {
            "pending",
            "quarantined",
            "inflight",
        }
        assert _all(engine) == kept  # same seq, change id, payload, state, error, attempts
        assert _high_mark(engine) == high
        with engine.begin() as connection:  # a new change: a seq never given before
            connection.exec_driver_sql(
                f"INSERT INTO sync_outbox ({COLUMNS}) VALUES (?, 'note', ?, 'upsert', NULL,"
                " '{}', '{}', NULL, '2026-12-07', 'pending', NULL, 0)",
                (uuid.uuid4().hex, uuid.uuid4().hex),
            )
        assert _all(engine)[-1][0] == high + 1
    finally:
        engine.dispose()


def test_few_answered_are_deleted_one_by_one(tmp_path: Path) -> None:
    engine, _key = _profile(tmp_path / "cases.db")
    try:
        _done, before = _fill(engine, 40)
        done = [row[0] for row in before if row[10] == "inflight"][:10]
        with engine.begin() as connection:
            push._remove_done(connection, done)
        assert _all(engine) == [row for row in before if row[0] not in set(done)]
    finally:
        engine.dispose()


KILL_INSIDE = """
    import os, signal, sys
    from pathlib import Path
    from app.store.engine import create_keyed_engine
    from app.sync import push

    engine = create_keyed_engine(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))
    done = [int(seq) for seq in sys.argv[4].split(",")]
    with engine.begin() as connection:
        run = connection.exec_driver_sql

        def run_then_die(statement, *arguments):
            result = run(statement, *arguments)
            if statement.startswith(sys.argv[3]):
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        connection.exec_driver_sql = run_then_die
        push._remove_done(connection, done)
"""


@pytest.mark.parametrize("moment", ["DELETE FROM sync_outbox", "INSERT INTO sync_outbox"])
def test_killed_inside_the_emptying_the_outbox_is_as_before(tmp_path: Path, moment: str) -> None:
    path = tmp_path / "cases.db"
    engine, key = _profile(path)
    try:
        done, before = _fill(engine, 300)
        high = _high_mark(engine)
    finally:
        engine.dispose()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(KILL_INSIDE),
            str(path),
            key.hex(),
            moment,
            ",".join(map(str, done)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    engine = create_keyed_engine(path, key)
    try:
        assert _all(engine) == before
        assert _high_mark(engine) == high
        with engine.begin() as connection:  # and the next attempt completes
            push._remove_done(connection, done)
        assert _all(engine) == [row for row in before if row[0] not in set(done)]
    finally:
        engine.dispose()


def test_between_groups_answered_rows_wait_until_they_are_nearly_all_the_outbox(
    server: RunningServer, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups of 4 answered changes of a 12-change outbox: the first groups write only
    bases (rows stay inflight), the rows leave once at most one in ``_FEW + 1`` rows is
    another (no emptying puts back a large part to remove it again later), and the push
    ends with the server's state, nothing waiting."""
    account = server.add_user()
    mine = laptop(account)
    for number in range(12):
        beneficiaries.register(mine.ctx, {"last_name": f"Nom{number}", "first_name": "Amal"})
    with mine.profile.engine.connect() as connection:
        total = connection.exec_driver_sql("SELECT count(*) FROM sync_outbox").scalar_one()
    removals: list[tuple[int, int]] = []
    remove = push._remove_done

    def counted(connection: Any, done: Any) -> None:
        size = connection.exec_driver_sql("SELECT count(*) FROM sync_outbox").scalar_one()
        removals.append((len(done), size))
        remove(connection, done)

    monkeypatch.setattr(push, "_remove_done", counted)
    monkeypatch.setattr(push, "SETTLE_ROWS", 4)
    report = mine.sync(SyncOptions(batch_size=2))
    assert report.applied == report.sent == total >= 12
    assert removals and removals[0][0] * 3 >= removals[0][1] * 2  # most of it, not 4
    emptied = [(done, size) for done, size in removals if done]
    assert all((size - done) * push._FEW <= done for done, size in emptied)
    assert sum(done for done, _size in removals) == total
    with mine.profile.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM sync_outbox").scalar_one() == 0
    assert mine.state() == server_state(server, account)
