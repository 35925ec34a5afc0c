"""Protocol version, enrolment, login throttling, the device's view of itself."""

from __future__ import annotations

from pathlib import Path

import httpx

from passerelle_core.protocol import PROTOCOL_HEADER
from server.core.settings import ServerSettings
from server.services.passwords import Passwords
from tests.server.harness import RunningServer, start_server


def _enrol(server: RunningServer, username: str, password: str) -> httpx.Response:
    with server.http() as client:
        return client.post(
            "/api/v1/enrol",
            json={"username": username, "password": password, "device_name": "laptop"},
        )


def test_health_needs_no_protocol_header(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_protocol_header_is_required_and_checked(server: RunningServer) -> None:
    account = server.add_user()
    device = server.enrol(account)
    url = f"{server.url}/api/v1/pull"
    auth = {"Authorization": f"Bearer {device.token}"}

    missing = httpx.get(url, headers=auth)
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid_request"

    malformed = httpx.get(url, headers={**auth, PROTOCOL_HEADER: "one"})
    assert malformed.status_code == 400

    too_old = httpx.get(url, headers={**auth, PROTOCOL_HEADER: "0"})
    assert too_old.status_code == 426
    assert too_old.json()["code"] == "client_too_old"

    too_new = httpx.get(url, headers={**auth, PROTOCOL_HEADER: "99"})
    assert too_new.status_code == 400

    # The version is checked before anything else, enrolment included.
    enrol = httpx.post(f"{server.url}/api/v1/enrol", json={}, headers={PROTOCOL_HEADER: "0"})
    assert enrol.status_code == 426


def test_enrolment_gives_a_token_and_the_staff_identity(server: RunningServer) -> None:
    account = server.add_user("educator", full_name="Karim Bennani")
    device = server.enrol(account, "Karim's laptop")

    assert device.user["staff_id"] == str(account.staff_id)
    assert device.user["role"] == "educator"
    assert device.user["full_name"] == "Karim Bennani"
    assert device.user["team_id"] == str(account.team_id)
    me = device.me()
    assert me.status_code == 200
    assert me.json()["device_id"] == str(device.device_id)
    assert me.json()["device_name"] == "Karim's laptop"
    assert me.json()["device_status"] == "active"
    assert me.json()["server_id"] == device.server_id

    # The user's staff_member and team records are there for every laptop to pull.
    pulled = device.pull()
    staff = pulled.get("staff_member", account.staff_id)
    assert staff is not None and staff["data"]["full_name"] == "Karim Bennani"
    assert pulled.get("team", account.team_id) is not None


def test_usernames_are_case_insensitive(server: RunningServer) -> None:
    account = server.add_user()
    assert _enrol(server, account.username.upper(), account.password).status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(server: RunningServer) -> None:
    account = server.add_user()
    wrong = _enrol(server, account.username, "not the password")
    unknown = _enrol(server, "nobody-at-all", "not the password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "bad_credentials"


def test_failed_logins_are_throttled_per_username(server: RunningServer) -> None:
    account = server.add_user()
    for _ in range(5):
        assert _enrol(server, account.username, "guess").status_code == 401

    throttled = _enrol(server, account.username, account.password)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled.headers["Retry-After"]) > 0
    # Unknown usernames are throttled alike: a 429 does not reveal who exists.
    for _ in range(5):
        _enrol(server, "ghost-user", "guess")
    assert _enrol(server, "ghost-user", "guess").status_code == 429
    # Other users are not affected.
    other = server.add_user()
    assert _enrol(server, other.username, other.password).status_code == 200


def test_failed_logins_are_throttled_per_address(tmp_path: Path) -> None:
    env = {"PASSERELLE_SERVER_LOGIN_FAILURES_PER_ADDRESS": "3"}
    with start_server(tmp_path, env=env) as server:
        account = server.add_user()
        for username in ("a", "b", "c"):
            assert _enrol(server, username, "guess").status_code == 401
        assert _enrol(server, account.username, account.password).status_code == 429


def test_a_disabled_account_cannot_enrol_nor_sync(server: RunningServer) -> None:
    account = server.add_user()
    device = server.enrol(account)
    result = server.admin("user", "disable", account.username)
    assert result.returncode == 0, result.stderr

    refused = _enrol(server, account.username, account.password)
    assert refused.status_code == 403
    assert refused.json()["code"] == "account_disabled"
    assert _enrol(server, account.username, "wrong").json()["code"] == "bad_credentials"
    assert device.pull_page(0).status_code == 403


def test_requests_without_a_valid_token_are_refused(server: RunningServer) -> None:
    with server.http() as client:
        assert client.get("/api/v1/pull").status_code == 401
        refused = client.get("/api/v1/me", headers={"Authorization": "Bearer forged-token"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "bad_credentials"


def test_passwords_are_argon2id_at_full_strength_by_default() -> None:
    passwords = Passwords.from_settings(ServerSettings())
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "m=65536,t=3,p=4" in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "wrong")
    assert not passwords.verify(None, "anything")  # unknown user: still one verification
