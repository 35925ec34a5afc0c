"""An operator unsticks users with ``passerelle-server``: lock cleared, password reset, enabled.

A real server process and the real command against its database (issue 22, item 6).
SQLite only: each command is a process start, and the SQL is the ORM's on both backends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import SHARED_ENV
from tests.server.harness import Account, RunningServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("operator"), None, env=SHARED_ENV)
    try:
        yield running
    finally:
        running.stop()


NEW_PASSWORD = "un nouveau mot de passe"


def _login(server: RunningServer, account: Account, password: str) -> int:
    with server.http() as client:
        response = client.post(
            "/api/v1/enrol",
            json={"username": account.username, "password": password, "device_name": "pc"},
        )
    return response.status_code


def _one_line(result: object) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 1, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    return stderr


def test_unlock_clears_a_login_lock(server: RunningServer) -> None:
    account = server.add_user()
    codes = [_login(server, account, "not the password") for _ in range(6)]
    assert codes[-1] == 429, codes
    assert _login(server, account, account.password) == 429  # the right one is refused too
    cleared = server.admin("user", "unlock", account.username)
    assert cleared.returncode == 0, cleared.stderr
    assert "login lock cleared" in cleared.stdout
    assert _login(server, account, account.password) == 200


def test_reset_password_replaces_it(server: RunningServer) -> None:
    account = server.add_user()
    reset = server.admin(
        "user", "reset-password", account.username, env={"PASSERELLE_PASSWORD": NEW_PASSWORD}
    )
    assert reset.returncode == 0, reset.stderr
    assert NEW_PASSWORD not in reset.stdout + reset.stderr
    assert _login(server, account, account.password) == 401
    assert _login(server, account, NEW_PASSWORD) == 200
    short = server.admin(
        "user", "reset-password", account.username, env={"PASSERELLE_PASSWORD": "short"}
    )
    assert "at least" in _one_line(short)


def test_enable_undoes_disable(server: RunningServer) -> None:
    account = server.add_user()
    assert server.admin("user", "disable", account.username).returncode == 0
    assert _login(server, account, account.password) != 200
    enabled = server.admin("user", "enable", account.username)
    assert enabled.returncode == 0, enabled.stderr
    assert _login(server, account, account.password) == 200


def test_unknown_users_are_one_line(server: RunningServer) -> None:
    nobody = f"nobody-{uuid.uuid4().hex[:6]}"
    assert "no user" in _one_line(server.admin("user", "unlock", nobody))


def test_device_list_shows_the_last_contact(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    assert laptop.me().status_code == 200
    listed = server.admin("device", "list")
    header, *rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert header[-1] == "LAST CONTACT"
    row = next(r for r in rows if r[0] == str(laptop.device_id))
    assert row[-1] != "-"


def test_audit_export_never_overwrites(server: RunningServer, tmp_path: Path) -> None:
    out = tmp_path / "new folder" / "access-log.csv"
    first = server.admin("audit", "export", "--out", str(out))
    assert first.returncode == 0, first.stderr
    again = server.admin("audit", "export", "--out", str(out))
    assert "already exists" in _one_line(again)
