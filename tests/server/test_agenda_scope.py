"""Appointments and quick notes on the server: the case's scope, and notes never changed.

Through the real API: a colleague of another team neither receives a case's
appointments and quick notes nor writes any, and a quick note, once written, is not
edited by anyone (the laptop refuses the same before writing).
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.server import factories
from tests.server.harness import RunningServer, change


def _appointment(case_id: uuid.UUID, staff_id: uuid.UUID) -> dict[str, Any]:
    return {
        "beneficiary_id": str(case_id),
        "staff_id": str(staff_id),
        "starts_at": "2026-12-08T09:30:00+00:00",
        "place": "facility",
        "purpose": "Logement",
        "status": "planned",
    }


def _quick_note(case_id: uuid.UUID, body: str = "La mère a appelé.") -> dict[str, Any]:
    return {
        "beneficiary_id": str(case_id),
        "kind": "phone",
        "body": body,
        "noted_on": "2026-12-07",
    }


def test_another_team_neither_receives_nor_writes_them(server: RunningServer) -> None:
    mine, theirs = server.add_user("social_worker"), server.add_user("social_worker")
    laptop, outsider = server.enrol(mine), server.enrol(theirs)
    case_id = uuid.uuid4()
    appointment_id, note_id = uuid.uuid4(), uuid.uuid4()
    results = laptop.push(
        change("beneficiary", case_id, factories.beneficiary(mine.team_id)),
        change("appointment", appointment_id, _appointment(case_id, mine.staff_id)),
        change("quick_note", note_id, _quick_note(case_id)),
    )
    assert [r["status"] for r in results] == ["applied"] * 3

    pulled = outsider.pull(0)
    assert pulled.get("appointment", appointment_id) is None
    assert pulled.get("quick_note", note_id) is None
    assert laptop.pull(0).get("appointment", appointment_id) is not None

    refused = outsider.push(
        change("appointment", uuid.uuid4(), _appointment(case_id, theirs.staff_id)),
        change("quick_note", uuid.uuid4(), _quick_note(case_id)),
        change("appointment", appointment_id, {"status": "cancelled"}, base_version=1),
    )
    assert [(r["status"], r["permanent"]) for r in refused] == [("rejected", True)] * 3


def test_a_quick_note_is_never_edited_an_appointment_is_closed(server: RunningServer) -> None:
    counsellor = server.add_user("educator")
    laptop = server.enrol(counsellor)
    case_id, appointment_id, note_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    laptop.push(
        change("beneficiary", case_id, factories.beneficiary(counsellor.team_id)),
        change("appointment", appointment_id, _appointment(case_id, counsellor.staff_id)),
        change("quick_note", note_id, _quick_note(case_id)),
    )

    [edited, deleted, missed] = laptop.push(
        change("quick_note", note_id, {"body": "Autre chose."}, base_version=1),
        change("quick_note", note_id, op="delete", base_version=1),
        change("appointment", appointment_id, {"status": "missed"}, base_version=1),
    )
    assert (edited["status"], edited["permanent"]) == ("rejected", True)
    assert (deleted["status"], deleted["permanent"]) == ("rejected", True)
    assert missed["status"] == "applied"
    assert laptop.pull(0).get("appointment", appointment_id)["data"]["status"] == "missed"


def test_the_server_refuses_what_the_laptop_refuses(server: RunningServer) -> None:
    counsellor = server.add_user("social_worker")
    laptop = server.enrol(counsellor)
    closed, open_case, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    plan, goal, action = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    team = counsellor.team_id
    laptop.push(
        change("beneficiary", closed, factories.beneficiary(team, case_status="closed")),
        change("beneficiary", open_case, factories.beneficiary(team)),
        change("beneficiary", other, factories.beneficiary(team)),
        change("action_plan", plan, factories.action_plan(other)),
        change("goal", goal, {"plan_id": str(plan), "domain_id": "housing", "wording": "Toit"}),
        change("action", action, {"goal_id": str(goal), "description": "Visite"}),
    )
    in_closed = _appointment(closed, counsellor.staff_id)
    elsewhere = {**_appointment(open_case, counsellor.staff_id), "action_id": str(action)}
    own = {**_appointment(other, counsellor.staff_id), "action_id": str(action)}
    later = {**_appointment(open_case, counsellor.staff_id), "action_id": str(uuid.uuid4())}
    # Made offline before the case was closed: closing called it off.
    called_off = {**in_closed, "status": "cancelled"}
    results = laptop.push(
        change("appointment", uuid.uuid4(), in_closed),
        change("appointment", uuid.uuid4(), called_off),
        change("appointment", uuid.uuid4(), elsewhere),
        change("appointment", uuid.uuid4(), own),
        change("appointment", uuid.uuid4(), later),
    )
    assert [(r["status"], r.get("permanent")) for r in results] == [
        ("rejected", True),
        ("applied", False),
        ("rejected", True),
        ("applied", False),
        ("rejected", False),  # the action may still be on its way: retried later
    ]
