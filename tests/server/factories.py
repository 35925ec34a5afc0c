"""Wire fields of the records the server tests push (complete enough to be created)."""

from __future__ import annotations

import uuid
from typing import Any


def beneficiary(
    team_id: uuid.UUID | None, assigned_staff_id: uuid.UUID | None = None, **fields: Any
) -> dict[str, Any]:
    return {
        "last_name": "Alaoui",
        "first_name": "Youssef",
        "last_name_ar": "العلوي",
        "first_name_ar": "يوسف",
        "cin": None,
        "legal_status": "sentenced",
        "team_id": None if team_id is None else str(team_id),
        "assigned_staff_id": None if assigned_staff_id is None else str(assigned_staff_id),
        **fields,
    }


def follow_up_session(
    beneficiary_id: uuid.UUID, confidentiality: str = "standard", **fields: Any
) -> dict[str, Any]:
    return {
        "beneficiary_id": str(beneficiary_id),
        "held_on": "2024-05-02",
        "kind": "individual",
        "confidentiality": confidentiality,
        "topic": "Housing after release",
        **fields,
    }


def session_note(session_id: uuid.UUID, body: str = "First interview.") -> dict[str, Any]:
    return {
        "session_id": str(session_id),
        "revision": 1,
        "body": body,
        "written_at": "2024-05-02T10:00:00+00:00",
    }


def action_plan(beneficiary_id: uuid.UUID, **fields: Any) -> dict[str, Any]:
    return {"beneficiary_id": str(beneficiary_id), "status": "draft", "title": "Plan", **fields}


def partner(name: str = "Association Al Amal") -> dict[str, Any]:
    return {"name": name, "kind": "ngo", "city": "Casablanca"}
