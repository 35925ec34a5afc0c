"""Real sync servers for tests: a ``passerelle-server serve`` process per server.

``start_server(tmp_path, database_url=None)`` starts one on a free loopback port and
waits for ``/health``; ``RunningServer.add_user`` creates accounts directly in its
database (the same code as ``passerelle-server user add``, without a process per
user); ``RunningServer.enrol`` returns a ``DeviceClient`` speaking the protocol with
httpx. ``fresh_postgres_database`` creates (and drops) a throwaway PostgreSQL database.
Reused by tests/sync (the client's tests): keep it free of server-test assumptions.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from passerelle_core.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from server.core.db import Database
from server.core.settings import ServerSettings
from server.services import accounts, devices
from server.services.passwords import Passwords

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "PASSERELLE_TEST_DATABASE_URL"
PASSWORD = "correct-horse-battery-staple"
STARTUP_TIMEOUT_SECONDS = 60
HEADERS = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
# Argon2id at its cheapest: the suite enrols hundreds of laptops on slow CI machines.
FAST_HASHING = {"password_time_cost": 1, "password_memory_kib": 1024, "password_parallelism": 1}
FAST_HASHING_ENV = {f"PASSERELLE_SERVER_{key.upper()}": str(v) for key, v in FAST_HASHING.items()}
# Every test server is called from 127.0.0.1 by whole modules of tests: the request rate
# limit (one bucket per address) is lifted, except where a test sets it (tests/security).
UNLIMITED_RATE_ENV = {
    "PASSERELLE_SERVER_RATE_LIMIT_PER_MINUTE": "10000000",
    "PASSERELLE_SERVER_RATE_LIMIT_BURST": "1000000",
}


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    staff_id: uuid.UUID
    role: str
    team_id: uuid.UUID | None
    team: str


@dataclass
class Pulled:
    """Everything a device pulled: latest state per record, cases that left, the cursor."""

    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    left_scope: list[str] = field(default_factory=list)
    cursor: int = 0
    pages: int = 0

    def of_type(self, record_type: str) -> list[dict[str, Any]]:
        return [r for (t, _i), r in self.records.items() if t == record_type]

    def get(self, record_type: str, record_id: uuid.UUID | str) -> dict[str, Any] | None:
        return self.records.get((record_type, str(record_id)))


class DeviceClient:
    """One enrolled laptop: its token, and push/pull over real HTTP."""

    def __init__(self, base_url: str, enrolment: dict[str, Any], verify: Any = True) -> None:
        self.device_id = uuid.UUID(enrolment["device_id"])
        self.token: str = enrolment["device_token"]
        self.user: dict[str, Any] = enrolment["user"]
        self.server_id: str = enrolment["server_id"]
        self.http = httpx.Client(
            base_url=base_url,
            headers={**HEADERS, "Authorization": f"Bearer {self.token}"},
            timeout=30,
            verify=verify,
        )
        self.cursor = 0

    @property
    def staff_id(self) -> uuid.UUID:
        return uuid.UUID(self.user["staff_id"])

    def close(self) -> None:
        self.http.close()

    def push_response(self, *changes: Mapping[str, Any]) -> httpx.Response:
        return self.http.post("/api/v1/push", json={"changes": list(changes)})

    def push(self, *changes: Mapping[str, Any]) -> list[dict[str, Any]]:
        response = self.push_response(*changes)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def pull_page(self, cursor: int, limit: int | None = None) -> httpx.Response:
        params = {"cursor": cursor} | ({} if limit is None else {"limit": limit})
        return self.http.get("/api/v1/pull", params=params)

    def pull(self, cursor: int | None = None, limit: int | None = None) -> Pulled:
        """Pull every page from ``cursor`` (default: where this device stopped)."""
        pulled = Pulled(cursor=self.cursor if cursor is None else cursor)
        while True:
            response = self.pull_page(pulled.cursor, limit)
            assert response.status_code == 200, response.text
            body = response.json()
            for record in body["records"]:
                pulled.records[(record["record_type"], record["record_id"])] = record
            pulled.left_scope.extend(body["left_scope"])
            pulled.cursor = body["next_cursor"]
            pulled.pages += 1
            if not body["has_more"]:
                break
        self.cursor = pulled.cursor
        return pulled

    def me(self) -> httpx.Response:
        return self.http.get("/api/v1/me")


@dataclass
class RunningServer:
    url: str
    data_dir: Path
    database_url: str | None
    process: subprocess.Popen[bytes]
    log_path: Path
    verify: Any = True
    _database: Database | None = None
    clients: list[DeviceClient] = field(default_factory=list)

    @property
    def settings(self) -> ServerSettings:
        return ServerSettings(
            data_dir=self.data_dir, database_url=self.database_url, **FAST_HASHING
        )

    @property
    def database(self) -> Database:
        if self._database is None:
            self._database = Database(self.settings)
        return self._database

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def http(self) -> httpx.Client:
        """An anonymous client sending the protocol header."""
        return httpx.Client(base_url=self.url, headers=HEADERS, timeout=30, verify=self.verify)

    def add_user(
        self,
        role: str = "social_worker",
        team: str | None = None,
        *,
        username: str | None = None,
        full_name: str | None = None,
        password: str = PASSWORD,
    ) -> Account:
        """A new account (and its team, created if new): unique names unless given."""
        username = username or f"{role}-{uuid.uuid4().hex[:8]}"
        team = team or f"Team {uuid.uuid4().hex[:8]}"
        with self.database.session() as session:
            info = accounts.add_user(
                session,
                accounts.NewUser(username, password, role, team, full_name=full_name),
                Passwords.from_settings(self.settings),
            )
        return Account(username, password, info.staff_id, role, info.team_id, team)

    def enrol(self, account: Account, device_name: str = "laptop") -> DeviceClient:
        with self.http() as client:
            response = client.post(
                "/api/v1/enrol",
                json={
                    "username": account.username,
                    "password": account.password,
                    "device_name": device_name,
                },
            )
        assert response.status_code == 200, response.text
        device = DeviceClient(self.url, response.json(), verify=self.verify)
        self.clients.append(device)
        return device

    def set_device_status(self, device_id: uuid.UUID, status: str) -> None:
        with self.database.session() as session:
            devices.set_device_status(session, str(device_id), status)

    def admin(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a real ``passerelle-server`` admin command against this server's database."""
        storage = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            storage += ["--database-url", self.database_url]
        return run_cli(*args, *storage, env={**FAST_HASHING_ENV, **(env or {})})

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        if self._database is not None:
            self._database.dispose()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        input=input_text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    tmp_path: Path,
    database_url: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    extra_args: Sequence[str] = (),
    tls: tuple[Path, Path] | None = None,
) -> RunningServer:
    """Start ``passerelle-server serve`` on 127.0.0.1 and wait until ``/health`` answers."""
    data_dir = tmp_path / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir(parents=True)
    port = free_port()
    args = ["serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    if database_url:
        args += ["--database-url", database_url]
    if tls is not None:
        args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", *args, *extra_args],
            cwd=ROOT,
            env={**os.environ, **FAST_HASHING_ENV, **UNLIMITED_RATE_ENV, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    scheme = "https" if tls else "http"
    server = RunningServer(
        f"{scheme}://127.0.0.1:{port}",
        data_dir,
        database_url,
        process,
        log_path,
        verify=ssl.create_default_context(cafile=str(tls[0])) if tls else True,
    )
    _wait_healthy(server)
    return server


def _wait_healthy(server: RunningServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited during startup:\n{server.log()}")
        try:
            if (
                httpx.get(f"{server.url}/health", timeout=2, verify=server.verify).status_code
                == 200
            ):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # a process starting up: nothing to wait on but the port
    server.stop()
    raise RuntimeError(f"the server did not answer /health in time:\n{server.log()}")


def postgres_admin_url() -> str:
    """The PostgreSQL server for tests: skipped locally without it, a failure on CI."""
    url = os.environ.get(PG_ENV)
    if not url:
        message = f"{PG_ENV} is not set: PostgreSQL tests cannot run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of ``url``; dropped afterwards."""
    base = make_url(url)
    name = f"passerelle_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def change(
    record_type: str,
    record_id: uuid.UUID | str,
    fields: Mapping[str, Any] | None = None,
    *,
    op: str = "upsert",
    base_version: int | None = None,
    case_id: uuid.UUID | str | None = None,
    change_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A ``Change`` as JSON, as a laptop's outbox would send it."""
    return {
        "change_id": str(change_id or uuid.uuid4()),
        "record_type": record_type,
        "record_id": str(record_id),
        "op": op,
        "base_version": base_version,
        "fields": dict(fields or {}),
        "base_fields": {},
        "case_id": None if case_id is None else str(case_id),
        "recorded_at": now_iso(),
    }


def migrated_database(folder: Path, url: str | None) -> Database:
    """A server database at its latest schema, in-process (no server started)."""
    database = Database(ServerSettings(data_dir=folder, database_url=url, **FAST_HASHING))
    database.migrate()
    return database
