"""What one request of an incremental sync costs the server, read back through the real
server (issue 23, 50 laptops): statements and transactions per request on PostgreSQL,
and the checks made at every request that no saving may skip.

The statements are counted inside the real ``passerelle-server serve`` process by a
``sitecustomize`` module put on its ``PYTHONPATH``: SQLAlchemy's cursor events, and
transactions that really begin (not the autocommit ones, which send no BEGIN), summed per
request and written to a file, one line per request.
"""

from __future__ import annotations

import json
import textwrap
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from passerelle_core.audit_protocol import ACCESS_LOG_ACK_HEADER, GENESIS_HASH, entry_hash
from passerelle_core.policy import POLICY_TAG_HEADER
from server.services import accounts
from tests.server.factories import beneficiary
from tests.server.harness import DeviceClient, RunningServer, change, start_server

COUNTER = textwrap.dedent(
    """
    import contextvars, json, os, sys
    sys.path.insert(0, os.getcwd())  # the server's tree (it starts there), as -m would
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    import server.api.middleware as middleware

    _current = contextvars.ContextVar("passerelle_test_counts", default=None)
    _OUT = os.environ["PASSERELLE_TEST_COUNTS"]

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):
        counts = _current.get()
        if counts is not None:
            counts["statements"] += 1

    @event.listens_for(Engine, "begin")
    def _begin(conn):
        counts = _current.get()
        autocommit = getattr(conn.connection.dbapi_connection, "autocommit", False)
        if counts is not None and not autocommit:
            counts["transactions"] += 1

    _call = middleware.GuardMiddleware.__call__

    async def _counted(self, scope, receive, send):
        if scope["type"] != "http":
            return await _call(self, scope, receive, send)
        counts = {"statements": 0, "transactions": 0}
        token = _current.set(counts)
        try:
            await _call(self, scope, receive, send)
        finally:
            _current.reset(token)
            query = scope["query_string"].decode()
            line = {"method": scope["method"], "path": scope["path"], "query": query, **counts}
            with open(_OUT, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\\n")

    middleware.GuardMiddleware.__call__ = _counted
    """
)


class Counted:
    def __init__(self, running: RunningServer, path: Path) -> None:
        self.running = running
        self.path = path

    def request(self, method: str, path: str, query: str = "", nth: int = 1) -> dict[str, Any]:
        """The counts of the ``nth`` request of that method, path and query string: written
        once the answer has gone, so perhaps a moment after the client has it."""
        deadline = time.monotonic() + 10
        while True:
            text = self.path.read_text() if self.path.exists() else ""
            lines = [
                line
                for line in map(json.loads, text.splitlines())
                if (line["method"], line["path"], line["query"]) == (method, path, query)
            ]
            if len(lines) >= nth:
                line = lines[nth - 1]
                return {"statements": line["statements"], "transactions": line["transactions"]}
            assert time.monotonic() < deadline, f"no {method} {path}?{query} counted"
            time.sleep(0.02)


@pytest.fixture(scope="module")
def counted(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counted]:
    folder = tmp_path_factory.mktemp("counted")
    (folder / "hook").mkdir()
    (folder / "hook" / "sitecustomize.py").write_text(COUNTER, encoding="utf-8")
    counts = folder / "counts.jsonl"
    env = {
        "PYTHONPATH": str(folder / "hook"),
        "PASSERELLE_TEST_COUNTS": str(counts),
        # No last-seen write in the middle of the counts, however slow the machine.
        "PASSERELLE_SERVER_LAST_SEEN_INTERVAL_SECONDS": "36000",
    }
    with start_server(folder, postgres_url, env=env) as running:
        yield Counted(running, counts)


class Chain:
    """A laptop's access log, entries made as the laptop makes them."""

    def __init__(self, staff_id: uuid.UUID) -> None:
        self.id = uuid.uuid4()
        self.staff_id = staff_id
        self.seq = 0
        self.prev = GENESIS_HASH

    def upload(self, count: int) -> dict[str, Any]:
        entries = []
        for _ in range(count):
            self.seq += 1
            entry: dict[str, Any] = {
                "device_id": str(self.id),
                "seq": self.seq,
                "recorded_at": datetime.now(UTC).isoformat(),
                "staff_id": str(self.staff_id),
                "action": "view",
                "record_type": None,
                "record_id": None,
                "case_id": None,
                "prev_hash": self.prev,
            }
            entry["hash"] = self.prev = entry_hash(entry)
            entries.append(entry)
        return {"device_id": str(self.id), "entries": entries}


def test_an_incremental_sync_costs_few_statements_on_postgresql(counted: Counted) -> None:
    running = counted.running
    account = running.add_user("social_worker")
    laptop, colleague = running.enrol(account), running.enrol(running.add_user(team=account.team))
    cases = [uuid.uuid4() for _ in range(5)]
    laptop.push(*[change("beneficiary", case, beneficiary(account.team_id)) for case in cases])
    cursor = laptop.pull().cursor
    colleague.pull()

    # The colleague edits 5 cases (a push), then the laptop pulls with its access log.
    results = colleague.push(
        *[change("beneficiary", case, {"phone": "0600000000"}, base_version=1) for case in cases]
    )
    assert [result["status"] for result in results] == ["applied"] * 5
    push = counted.request("POST", "/api/v1/push", nth=2)  # the first created the cases
    # Each measured request has a query string of its own (its limit) to be found by.
    chain = Chain(account.staff_id)
    query = f"cursor={cursor}&limit=401"
    answer = laptop.http.post(f"/api/v1/pull?{query}", json=chain.upload(3))
    assert answer.status_code == 200, answer.text
    assert answer.headers[ACCESS_LOG_ACK_HEADER] == "3"
    assert POLICY_TAG_HEADER in answer.headers
    assert len(answer.json()["records"]) == 5
    cursor = answer.json()["next_cursor"]
    with_log = counted.request("POST", "/api/v1/pull", query)
    for limit in (402, 403):  # the next two syncs: nothing new
        nothing = laptop.pull_page(cursor, limit)
        assert nothing.status_code == 200 and nothing.json()["records"] == []
    applied = counted.request("GET", "/api/v1/pull", f"cursor={cursor}&limit=402")
    idle = counted.request("GET", "/api/v1/pull", f"cursor={cursor}&limit=403")

    # Authentication (1), the high-water mark and the page (2), the policy (1); no
    # transaction at all: nothing moved, nothing is written.
    assert idle == {"statements": 4, "transactions": 0}
    # The same and the laptop's applied cursor noted (1 statement, autocommit).
    assert applied == {"statements": 5, "transactions": 0}
    # The same, plus the log (its transaction: the locked tail, the insert), the scope
    # exits the page passes and the served cursor: one transaction in all.
    assert with_log == {"statements": 8, "transactions": 1}
    # The push is not this module's, but a statement per change would show here.
    assert push["statements"] <= 20, push


def test_a_disabled_account_is_refused_at_its_very_next_request(server: RunningServer) -> None:
    account = server.add_user("social_worker")
    laptop = server.enrol(account)
    assert laptop.pull_page(0).status_code == 200  # authenticated, its connection kept
    with server.database.session() as session:
        accounts.disable_user(session, account.username)
    refused = laptop.pull_page(0)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "account_disabled"
    assert push_of_one(laptop).json()["code"] == "account_disabled"


def test_a_revoked_device_is_refused_at_its_very_next_request(server: RunningServer) -> None:
    account = server.add_user("social_worker")
    laptop, other = server.enrol(account), server.enrol(account, "second laptop")
    assert laptop.pull_page(0).status_code == 200
    server.set_device_status(laptop.device_id, "revoked")
    refused = laptop.pull_page(0)
    assert refused.status_code == 401
    assert refused.json()["code"] == "device_revoked"
    assert push_of_one(laptop).json()["code"] == "device_revoked"
    assert other.pull_page(0).status_code == 200  # the account's other laptop goes on


def test_a_colleague_of_another_team_never_receives_the_case(server: RunningServer) -> None:
    account = server.add_user("social_worker")
    stranger = server.enrol(server.add_user("social_worker"))  # a team of its own
    case = uuid.uuid4()
    server.enrol(account).push(change("beneficiary", case, beneficiary(account.team_id)))
    for _pull in range(2):  # the page statement is built once per kind of viewer: twice
        assert stranger.pull(0).get("beneficiary", case) is None


def test_an_access_log_of_another_accounts_chain_is_not_acknowledged(
    server: RunningServer,
) -> None:
    owner = server.enrol(server.add_user("social_worker"))
    chain = Chain(owner.staff_id)
    first = chain.upload(2)
    answer = owner.http.post("/api/v1/pull?cursor=0", json=first)
    assert answer.headers[ACCESS_LOG_ACK_HEADER] == "2"
    intruder_account = server.add_user("social_worker")
    intruder = server.enrol(intruder_account)
    chain.staff_id = intruder_account.staff_id
    forged = intruder.http.post("/api/v1/pull?cursor=0", json=chain.upload(1))
    assert forged.status_code == 200  # the page still comes: the log alone is refused
    assert ACCESS_LOG_ACK_HEADER not in forged.headers


def push_of_one(laptop: DeviceClient) -> Any:
    return laptop.push_response(change("beneficiary", uuid.uuid4(), beneficiary(None)))
