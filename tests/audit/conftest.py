"""Helpers for the access log's tests: a case with a history, raw rows, tampering.

The server fixtures (``server`` on SQLite and PostgreSQL, ``laptop``) are the sync
tests' own, imported here for tests/audit/test_upload.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from app.models import SyncConflict
from app.models.base import utcnow
from app.services import beneficiaries, followup, plans
from app.services.context import ServiceContext
from app.sync.state import model_table
from tests.sync.conftest import database_url, laptop, server

__all__ = ["database_url", "laptop", "server"]

LAST_NAME = "Ouazzani"
FIRST_NAME = "Saïd"
ARABIC_NAME = "الوزاني"
CIN = "BK482913"
NOTE = "Il a parlé de sa dette envers son cousin"
PERSONAL = (LAST_NAME, FIRST_NAME, ARABIC_NAME, CIN, NOTE, "0661234567")


@dataclass
class History:
    beneficiary_id: uuid.UUID
    plan_id: uuid.UUID
    goal_id: uuid.UUID
    session_id: uuid.UUID
    conflict_id: uuid.UUID


def build_history(ctx: ServiceContext, engine: Engine) -> History:
    """A case created, changed, planned, followed up; a conflict waiting on it."""
    person = beneficiaries.register(
        ctx,
        {
            "last_name": LAST_NAME,
            "first_name": FIRST_NAME,
            "last_name_ar": ARABIC_NAME,
            "cin": CIN,
        },
    )
    beneficiaries.update(ctx, person.id, {"phone": "0661234567"})
    plan = plans.draft_plan(ctx, person.id, title="Préparer la sortie")
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Trouver un logement")
    session = followup.record_session(
        ctx, person.id, held_on=ctx.today() - timedelta(days=1), topic="Dettes", note=NOTE
    )
    conflict_id = insert_conflict(engine, person.id)
    return History(person.id, plan.id, goal.id, session.id, conflict_id)


def insert_conflict(engine: Engine, case_id: uuid.UUID) -> uuid.UUID:
    """A conflict as a pull writes it (Core, so not an access by anyone here)."""
    conflict_id, now = uuid.uuid4(), utcnow()
    with engine.begin() as connection:
        connection.execute(
            insert(model_table(SyncConflict)).values(
                id=conflict_id,
                target_type="beneficiary",
                target_id=case_id,
                field="phone",
                kept_value="0661234567",
                other_value="0522000000",
                case_id=case_id,
                created_at=now,
                updated_at=now,
                row_version=1,
            )
        )
    return conflict_id


def raw_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM access_log ORDER BY seq"))
        return [dict(row) for row in rows.mappings()]


def tamper(engine: Engine, *statements: str) -> None:
    """Raw SQL on the log, its triggers dropped first (what an attacker with the key does)."""
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS access_log_no_update")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS access_log_no_delete")
        for statement in statements:
            connection.exec_driver_sql(statement)


def swap(seq_a: int, seq_b: int) -> tuple[str, ...]:
    """Statements exchanging the places of two entries."""
    return (
        f"UPDATE access_log SET seq = -1 WHERE seq = {seq_a}",
        f"UPDATE access_log SET seq = {seq_a} WHERE seq = {seq_b}",
        f"UPDATE access_log SET seq = {seq_b} WHERE seq = -1",
    )
