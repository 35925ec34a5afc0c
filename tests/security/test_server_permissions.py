"""The server applies the role table to what laptops push, with a real server process.

A laptop whose client was modified (or is outdated) may push what the application would
have refused: the server refuses it again, permanently. The matrix covers the
permissions the server can see in a change: keeping psychologist-only records and
approving plans.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.security.permissions import Permission, allows
from passerelle_core.enums import StaffRole
from tests.server import factories
from tests.server.harness import Account, DeviceClient, RunningServer, change


def _new_case(server: RunningServer, team: str) -> tuple[Account, DeviceClient, uuid.UUID]:
    """A case of ``team``, created by a social worker of that team."""
    owner = server.add_user("social_worker", team=team)
    laptop = server.enrol(owner)
    case_id = uuid.uuid4()
    [result] = laptop.push(change("beneficiary", case_id, factories.beneficiary(owner.team_id)))
    assert result["status"] == "applied", result
    return owner, laptop, case_id


def _require_approval(server: RunningServer, account: Account) -> None:
    admin = server.enrol(server.add_user("admin"))
    [result] = admin.push(
        change("team", account.team_id, {"requires_plan_approval": True}, base_version=1)
    )
    assert result["status"] in {"applied", "merged"}, result


def _outcome(result: dict[str, Any]) -> str:
    if result["status"] == "rejected":
        assert result["permanent"] is True, result
        return "rejected"
    return "applied"


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_psychologist_only_records_follow_the_table(server: RunningServer, role: StaffRole) -> None:
    team = f"Team {uuid.uuid4().hex[:8]}"
    _owner, _laptop, case_id = _new_case(server, team)
    laptop = server.enrol(server.add_user(role.value, team=team))
    secret = uuid.uuid4()

    [result] = laptop.push(
        change(
            "follow_up_session", secret, factories.follow_up_session(case_id, "psychologist_only")
        )
    )

    expected = "applied" if allows(role, Permission.HOLD_RESTRICTED_RECORDS) else "rejected"
    assert _outcome(result) == expected


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_activating_a_plan_that_needs_approval_follows_the_table(
    server: RunningServer, role: StaffRole
) -> None:
    team = f"Team {uuid.uuid4().hex[:8]}"
    owner, owner_laptop, case_id = _new_case(server, team)
    _require_approval(server, owner)
    plan_id = uuid.uuid4()
    [created] = owner_laptop.push(change("action_plan", plan_id, factories.action_plan(case_id)))
    assert created["status"] == "applied", created
    laptop = server.enrol(server.add_user(role.value, team=team))

    [result] = laptop.push(
        change("action_plan", plan_id, {"status": "active"}, base_version=created["version"])
    )

    expected = "applied" if allows(role, Permission.APPROVE_PLAN) else "rejected"
    assert _outcome(result) == expected


def test_a_social_worker_cannot_approve_or_write_a_psychologists_note(
    server: RunningServer,
) -> None:
    team = f"Team {uuid.uuid4().hex[:8]}"
    owner, laptop, case_id = _new_case(server, team)
    _require_approval(server, owner)
    psychologist = server.enrol(server.add_user("psychologist", team=team))
    secret = uuid.uuid4()
    [made] = psychologist.push(
        change(
            "follow_up_session", secret, factories.follow_up_session(case_id, "psychologist_only")
        )
    )
    assert made["status"] == "applied"

    plan_id = uuid.uuid4()
    self_approved = factories.action_plan(
        case_id, status="active", approved_by_id=str(owner.staff_id)
    )
    note_edit = factories.session_note(secret, "Rewritten by a colleague")
    results = laptop.push(
        change("action_plan", plan_id, self_approved),
        change("session_note", uuid.uuid4(), note_edit),
    )

    assert [(r["status"], r["permanent"]) for r in results] == [("rejected", True)] * 2
    assert "approve plan" in results[0]["error"]
    pulled = server.enrol(server.add_user("psychologist", team=team)).pull(0)
    assert pulled.get("action_plan", plan_id) is None
    assert pulled.of_type("session_note") == []
