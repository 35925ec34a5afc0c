"""No request of one user reads or changes another user's data.

Alice and Bob work in different teams. Bob holds a case with a plan and a
psychologist-only session. Whatever Alice sends (the protocol's calls, the
device-security calls, or generated pushes aimed at Bob's record ids), Bob's records
stay exactly as they were, none of them reaches Alice, and Bob's device keeps its
token and its escrowed key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store.escrow import generate_recovery_key, public_key_text, seal_key
from server.core.tables import DeviceEscrow
from tests.security.conftest import RecoveryKeyFile
from tests.server import factories
from tests.server.harness import DeviceClient, RunningServer, change

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@dataclass
class World:
    alice: DeviceClient
    bob: DeviceClient
    case_id: uuid.UUID
    plan_id: uuid.UUID
    session_id: uuid.UUID

    @property
    def bob_ids(self) -> set[str]:
        return {str(self.case_id), str(self.plan_id), str(self.session_id)}

    def bob_state(self) -> dict[tuple[str, str], Any]:
        pulled = self.bob.pull(cursor=0)
        return {key: (r["version"], r["deleted"], r["data"]) for key, r in pulled.records.items()}


@pytest.fixture(scope="module")
def world(server: RunningServer) -> World:
    bob_account = server.add_user("psychologist")
    bob = server.enrol(bob_account)
    case_id, plan_id, session_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    results = bob.push(
        change("beneficiary", case_id, factories.beneficiary(bob_account.team_id, cin="ZT991122")),
        change("action_plan", plan_id, factories.action_plan(case_id), case_id=case_id),
        change(
            "follow_up_session",
            session_id,
            factories.follow_up_session(case_id, "psychologist_only"),
            case_id=case_id,
        ),
    )
    assert [r["status"] for r in results] == ["applied"] * 3
    alice = server.enrol(server.add_user("psychologist"))
    return World(alice, bob, case_id, plan_id, session_id)


def test_alice_never_pulls_bobs_case(world: World) -> None:
    pulled = world.alice.pull(cursor=0)
    assert not {record_id for (_t, record_id) in pulled.records} & world.bob_ids
    assert "ZT991122" not in repr(pulled.records)


def test_alice_cannot_change_or_delete_bobs_records(world: World) -> None:
    before = world.bob_state()
    attempts = [
        change("beneficiary", world.case_id, {"first_name": "Changed"}, base_version=1),
        change("beneficiary", world.case_id, {}, op="delete", base_version=1),
        change("action_plan", world.plan_id, {"status": "active"}, base_version=1),
        change("follow_up_session", world.session_id, {"topic": "x"}, base_version=1),
        change("beneficiary", world.case_id, factories.beneficiary(None)),  # "create" it
        change("action_plan", uuid.uuid4(), factories.action_plan(world.case_id)),  # a child
    ]
    for attempt in attempts:
        [result] = world.alice.push(attempt)
        assert result["status"] == "rejected", (attempt, result)
    assert world.bob_state() == before


def test_alices_security_calls_touch_only_her_device(
    server: RunningServer, world: World, recovery_key: RecoveryKeyFile
) -> None:
    public = world.bob.http.get("/api/v1/policy").json()["recovery_public_key"]
    sealed_by_bob = seal_key(b"b" * 32, public, world.bob.device_id)
    assert world.bob.http.put("/api/v1/escrow", json=sealed_by_bob.model_dump()).status_code == 200
    # Alice uploads "Bob's" sealed key, and one sealed for another key: her row only, or none.
    assert (
        world.alice.http.put("/api/v1/escrow", json=sealed_by_bob.model_dump()).status_code == 200
    )
    stranger = seal_key(b"a" * 32, public_key_text(generate_recovery_key()), world.bob.device_id)
    refused = world.alice.http.put("/api/v1/escrow", json=stranger.model_dump())
    assert refused.status_code == 400
    with server.database.session() as session, session.begin():
        bob_row = session.get(DeviceEscrow, world.bob.device_id)
        assert bob_row is not None and bob_row.sealed == sealed_by_bob.model_dump()
    rotated = world.alice.http.post("/api/v1/token/rotate")
    assert rotated.status_code == 200
    assert world.bob.me().json()["device_id"] == str(world.bob.device_id)
    assert world.alice.me().json()["device_id"] == str(world.alice.device_id)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(
    target=st.sampled_from(["beneficiary", "action_plan", "follow_up_session"]),
    op=st.sampled_from(["upsert", "delete"]),
    base_version=st.none() | st.integers(min_value=0, max_value=5),
    fields=st.dictionaries(
        st.sampled_from(["first_name", "cin", "status", "topic", "team_id", "beneficiary_id"]),
        JSON,
        max_size=3,
    ),
)
def test_generated_pushes_at_bobs_ids_never_land(
    world: World, target: str, op: str, base_version: int | None, fields: dict[str, Any]
) -> None:
    before = world.bob_state()
    record_id = {
        "beneficiary": world.case_id,
        "action_plan": world.plan_id,
        "follow_up_session": world.session_id,
    }[target]
    attempt = change(target, record_id, fields, op=op, base_version=base_version)
    response = world.alice.push_response(attempt)
    assert response.status_code == 200 or 400 <= response.status_code < 500
    if response.status_code == 200:
        assert response.json()["results"][0]["status"] == "rejected"
    assert world.bob_state() == before
