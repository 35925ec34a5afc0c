"""Server hardening: security headers, HSTS and TLS versions, rate limit, hashed tokens,
token rotation (server and laptop), the policy endpoint."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from app.sync import security, state
from app.sync.policy import read_policy
from server.core.tables import Device
from tests.server.harness import HEADERS, RunningServer, start_server
from tests.server.test_cli import _self_signed
from tests.sync.conftest import Laptop

MakeLaptop = Callable[..., Laptop]
EXPECTED = {
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _has_security_headers(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_every_kind_of_response_carries_security_headers(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    with server.http() as anonymous:
        responses = [
            anonymous.get("/health"),
            anonymous.get("/openapi.json"),
            anonymous.get("/api/v1/me"),  # 401
            anonymous.get("/nowhere"),  # 404
            httpx.get(f"{server.url}/api/v1/me"),  # 400: no protocol header
            laptop.pull_page(0),
            laptop.http.post("/api/v1/push", content=b"{not json"),  # 422
        ]
    for response in responses:
        _has_security_headers(response)
        assert "strict-transport-security" not in response.headers  # plain loopback HTTP
        assert "traceback" not in response.text.lower()
    assert "server" not in responses[0].headers


def test_tls_adds_hsts(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with start_server(tmp_path, tls=(cert, key)) as server:
        response = httpx.get(f"{server.url}/health", verify=server.verify)
        assert response.headers["strict-transport-security"].startswith("max-age=")
        _has_security_headers(response)


def test_requests_beyond_the_rate_are_429_with_retry_after(tmp_path: Path) -> None:
    limits = {
        "PASSERELLE_SERVER_RATE_LIMIT_PER_MINUTE": "60",
        "PASSERELLE_SERVER_RATE_LIMIT_BURST": "40",
    }
    with start_server(tmp_path, env=limits) as server, server.http() as client:
        statuses = [client.get("/api/v1/me").status_code for _ in range(60)]
        assert 429 in statuses
        assert statuses.index(429) >= 30  # the burst first (the startup probe took a few)
        refused = client.get("/api/v1/me")
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled"
        assert int(refused.headers["retry-after"]) >= 1
        _has_security_headers(refused)


def test_tokens_are_stored_only_as_hashes(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    with server.database.session() as session, session.begin():
        device = session.scalars(select(Device).where(Device.id == laptop.device_id)).one()
        assert device.token_hash == hashlib.sha256(laptop.token.encode()).hexdigest()
        columns = [getattr(device, c.key) for c in Device.__table__.columns]
    assert laptop.token not in repr(columns)


def _rotate(http: httpx.Client) -> str:
    response = http.post("/api/v1/token/rotate")
    assert response.status_code == 200, response.text
    token: str = response.json()["device_token"]
    return token


def _client(server: RunningServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={**HEADERS, "Authorization": f"Bearer {token}"}, timeout=30
    )


def test_rotation_invalidates_the_old_token_once_the_new_one_is_used(
    server: RunningServer,
) -> None:
    laptop = server.enrol(server.add_user())
    old = laptop.http
    lost = _rotate(old)  # the reply "is lost": the laptop still only knows the old token
    assert old.get("/api/v1/me").status_code == 200
    new = _rotate(old)  # so it rotates again with the old one
    with _client(server, lost) as never_received, _client(server, new) as current:
        assert never_received.get("/api/v1/me").status_code == 401
        assert current.get("/api/v1/me").status_code == 200  # first use: the old one goes
        assert old.get("/api/v1/me").status_code == 401
        assert current.get("/api/v1/policy").status_code == 200


def test_a_laptop_rotates_its_token_and_keeps_the_policy(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    machine = laptop(server.add_user())  # enrolled, then synced once: the first sync rotates
    with machine.profile.engine.begin() as connection:
        token = state.get(connection, state.DEVICE_TOKEN)
        issued = state.get(connection, security.TOKEN_ISSUED_KEY)
        device_id = state.get_uuid(connection, state.DEVICE_ID)
        policy = read_policy(connection)
    assert token is not None and issued is not None
    with server.database.session() as session, session.begin():
        device = session.get(Device, device_id)
        assert device is not None and device.token_rotated_at is not None
        assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert device.previous_token_hash is None  # the new token was used: the old is gone
    assert policy.max_failed_unlocks == 10 and policy.max_offline_days == 30
    guard = machine.profile.header.guard
    assert guard is not None and guard.max_failed_unlocks == 10
    report = machine.sync()  # not due again: same token, sync fine
    assert not report.errors
    with machine.profile.engine.begin() as connection:
        assert state.get(connection, state.DEVICE_TOKEN) == token


def test_policy_comes_from_the_server_settings(tmp_path: Path) -> None:
    env = {
        "PASSERELLE_SERVER_MAX_OFFLINE_DAYS": "7",
        "PASSERELLE_SERVER_MAX_FAILED_UNLOCKS": "5",
        "PASSERELLE_SERVER_TOKEN_ROTATION_DAYS": "2",
    }
    with start_server(tmp_path, env=env) as server:
        laptop = server.enrol(server.add_user())
        body = laptop.http.get("/api/v1/policy").json()
    assert body["max_offline_days"] == 7
    assert body["max_failed_unlocks"] == 5
    assert body["token_rotation_days"] == 2
    assert body["recovery_public_key"] is None


def test_escrow_is_write_only_and_per_device(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    assert laptop.http.get("/api/v1/escrow").status_code == 405
    device = str(uuid.uuid4())
    assert laptop.http.get(f"/api/v1/escrow/{device}").status_code == 404
    garbage = laptop.http.put("/api/v1/escrow", json={"key_id": "0" * 32})
    assert garbage.status_code == 422
