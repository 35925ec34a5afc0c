"""Malformed requests get a 4xx ``ErrorBody``: never a 500, never a traceback."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.server import factories
from tests.server.harness import RunningServer, change

ERROR_CODES = {
    "client_too_old",
    "bad_credentials",
    "account_disabled",
    "throttled",
    "device_revoked",
    "wipe",
    "forbidden",
    "invalid_request",
    "not_found",
}


def _valid_change() -> dict[str, Any]:
    return change("partner", uuid.uuid4(), factories.partner())


BAD_PUSH_BODIES: list[Any] = [
    None,
    [],
    "changes",
    {},
    {"changes": None},
    {"changes": "all of them"},
    {"changes": [None]},
    {"changes": [{}]},
    {"changes": [_valid_change() | {"change_id": "not-a-uuid"}]},
    {"changes": [_valid_change() | {"record_id": 12}]},
    {"changes": [_valid_change() | {"op": "truncate"}]},
    {"changes": [_valid_change() | {"base_version": -1}]},
    {"changes": [_valid_change() | {"base_version": "one"}]},
    {"changes": [_valid_change() | {"fields": []}]},
    {"changes": [_valid_change() | {"recorded_at": "yesterday"}]},
    {"changes": [_valid_change() | {"record_type": "x" * 1000}]},
    {"changes": [_valid_change() | {"surprise": True}]},
    {"changes": [_valid_change()] * 501},
    {"changes": [], "extra": 1},
]


@pytest.mark.parametrize("body", BAD_PUSH_BODIES, ids=range(len(BAD_PUSH_BODIES)))
def test_malformed_push_bodies_are_4xx(server: RunningServer, body: Any) -> None:
    laptop = server.enrol(server.add_user())
    response = laptop.http.post("/api/v1/push", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["code"] in ERROR_CODES


def test_malformed_values_inside_changes_are_rejected_not_failed(server: RunningServer) -> None:
    account = server.add_user()
    laptop = server.enrol(account)
    fields = factories.beneficiary(account.team_id)
    weird: list[dict[str, Any]] = [
        {**fields, "team_id": "not-a-uuid"},
        {**fields, "birth_date": 1990},
        {**fields, "first_name": ["a", "list"]},
        {**fields, "first_name": "x" * 10_000},
        {**fields, "created_at": "2024-01-01T10:00:00"},  # no time zone
        {**fields, "id": str(uuid.uuid4())},  # not this record's id
        {**fields, "first_name": None},
        {**fields, "team_id": {"nested": "object"}},
    ]
    results = laptop.push(*(change("beneficiary", uuid.uuid4(), f) for f in weird))
    assert [r["status"] for r in results] == ["rejected"] * len(weird)
    assert all(r["permanent"] for r in results)
    naive = change("partner", uuid.uuid4(), factories.partner()) | {
        "recorded_at": "2024-01-01T10:00:00"
    }
    [result] = laptop.push(naive)
    assert result["status"] == "rejected" and result["permanent"] is True


def test_garbage_bytes_and_wrong_content(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    for content in (b"{not json", b"\xff\xfe\x00garbage", b"", b"[" * 10_000):
        response = laptop.http.post(
            "/api/v1/push", content=content, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, response.text
    with server.http() as client:
        enrol = client.post("/api/v1/enrol", content=b"username=x&password=y")
        assert 400 <= enrol.status_code < 500
        too_long = client.post(
            "/api/v1/enrol",
            json={"username": "u" * 500, "password": "p", "device_name": "d"},
        )
        assert too_long.status_code == 422
        assert too_long.json()["code"] == "invalid_request"
        assert "u" * 500 not in too_long.text  # the message never echoes the input


def test_a_body_over_the_limit_is_413(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    huge = b'{"changes": [], "padding": "' + b"x" * (11 * 1024 * 1024) + b'"}'

    response = laptop.http.post(
        "/api/v1/push", content=huge, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "invalid_request"

    def chunks() -> Any:  # no Content-Length: counted while it streams
        for _ in range(12):
            yield b"x" * (1024 * 1024)

    streamed = laptop.http.post("/api/v1/push", content=chunks())
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "query",
    [
        "cursor=-1",
        "cursor=abc",
        "limit=0",
        "limit=1001",
        "limit=-5",
        "cursor=1e9",
        f"cursor={2**70}",
    ],
)
def test_malformed_pull_parameters_are_4xx(server: RunningServer, query: str) -> None:
    laptop = server.enrol(server.add_user())
    response = laptop.http.get(f"/api/v1/pull?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"


def test_unknown_paths_and_methods(server: RunningServer) -> None:
    laptop = server.enrol(server.add_user())
    missing = laptop.http.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong_method = laptop.http.delete("/api/v1/push")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "invalid_request"
    malformed_auth = laptop.http.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert malformed_auth.status_code == 401


def test_the_openapi_schema_is_published(server: RunningServer) -> None:
    with server.http() as client:
        schema = client.get("/openapi.json").json()
    assert {"/api/v1/enrol", "/api/v1/push", "/api/v1/pull", "/api/v1/me"} <= set(schema["paths"])
