"""Change capture: every edit reaches the outbox in its own transaction, and only once."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app.models import ActionPlan, Beneficiary, Goal, OutboxState
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.store.profile import Profile
from app.sync.capture import CAPTURE_OFF
from app.sync.outbox import pending_count, queue_all
from app.sync.state import BASE, OUTBOX

ROOT = Path(__file__).resolve().parents[2]


def outbox_rows(profile: Profile) -> list[Any]:
    with profile.engine.connect() as connection:
        return list(connection.execute(select(OUTBOX).order_by(OUTBOX.c.seq)))


def rows_for(profile: Profile, record_id: uuid.UUID) -> list[Any]:
    return [row for row in outbox_rows(profile) if row.record_id == record_id]


def test_a_new_record_is_queued_whole_in_the_same_transaction(
    profile: Profile, ctx: ServiceContext
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Youssef"})
    [row] = rows_for(profile, person.id)
    assert row.record_type == "beneficiary"
    assert row.op == "upsert"
    assert row.base_version is None
    assert row.case_id == person.id
    assert row.fields["last_name"] == "Alaoui"
    assert row.fields["assigned_staff_id"] == str(ctx.actor.staff_id)
    assert "id" not in row.fields and "row_version" not in row.fields
    assert row.state == OutboxState.PENDING


def test_a_rolled_back_edit_leaves_no_outbox_row(profile: Profile, ctx: ServiceContext) -> None:
    before = len(outbox_rows(profile))
    with pytest.raises(RuntimeError), ctx.transaction() as session:
        session.add(Beneficiary(last_name="Never", first_name="Saved"))
        session.flush()
        assert len(outbox_rows(profile)) == before  # not visible outside the transaction
        raise RuntimeError("the operation fails after the flush")
    assert len(outbox_rows(profile)) == before


def test_children_flushed_with_their_parents_find_their_case(
    profile: Profile, ctx: ServiceContext
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Aicha"})
    with ctx.transaction() as session:
        plan = ActionPlan(beneficiary_id=person.id, goals=[])
        goal = Goal(plan=plan, domain_id="housing", wording="A place to live", actions=[])
        session.add_all([plan, goal])
    [goal_row] = rows_for(profile, goal.id)
    assert goal_row.case_id == person.id
    assert goal_row.fields["plan_id"] == str(plan.id)


def test_edits_merge_into_a_pending_change_keeping_the_first_base(
    profile: Profile, ctx: ServiceContext
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Chraibi", "first_name": "Omar"})
    _pretend_synced(profile, person.id, version=4)
    beneficiaries.update(ctx, person.id, {"phone": "0611"})
    beneficiaries.update(ctx, person.id, {"phone": "0622", "address": "Fès"})
    [row] = rows_for(profile, person.id)
    assert row.base_version == 4
    assert row.fields["phone"] == "0622" and row.fields["address"] == "Fès"
    assert row.base_fields == {"phone": None, "address": None}
    assert set(row.fields) == {"phone", "address", "updated_at", "updated_by_id"}


def test_an_inflight_change_is_never_modified(profile: Profile, ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Daoudi", "first_name": "Rachid"})
    _pretend_synced(profile, person.id, version=2)
    beneficiaries.update(ctx, person.id, {"phone": "0611"})
    with profile.engine.begin() as connection:
        connection.execute(update(OUTBOX).values(state=OutboxState.INFLIGHT))
    beneficiaries.update(ctx, person.id, {"phone": "0633"})
    sent, waiting = rows_for(profile, person.id)
    assert (sent.state, sent.fields["phone"]) == (OutboxState.INFLIGHT, "0611")
    assert (waiting.state, waiting.fields["phone"]) == (OutboxState.PENDING, "0633")
    assert waiting.base_fields["phone"] == "0611"
    assert waiting.change_id != sent.change_id


def test_a_soft_deletion_of_a_synced_record_is_a_delete(
    profile: Profile, ctx: ServiceContext
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Fassi", "first_name": "Nadia"})
    _pretend_synced(profile, person.id, version=1)
    beneficiaries.delete(ctx, person.id)
    [row] = rows_for(profile, person.id)
    assert row.op == "delete"
    assert row.fields["deleted_at"] is not None
    assert row.base_fields == {"deleted_at": None}


def test_base_values_are_known_even_for_expired_attributes(
    profile: Profile, ctx: ServiceContext
) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Ghali", "first_name": "Said"})
    _pretend_synced(profile, person.id, version=1)
    with ctx.transaction() as session:
        loaded = session.get(Beneficiary, person.id)
        assert loaded is not None
        session.expire(loaded)
        loaded.last_name = "Ghali-Idrissi"
    [row] = rows_for(profile, person.id)
    assert row.base_fields["last_name"] == "Ghali"


def test_capture_is_off_while_pulled_data_is_applied(profile: Profile, ctx: ServiceContext) -> None:
    before = len(outbox_rows(profile))
    with profile.sessions.begin() as session:
        session.info[CAPTURE_OFF] = True
        session.add(Beneficiary(last_name="From", first_name="Server"))
    assert len(outbox_rows(profile)) == before


def test_queue_all_queues_bulk_rows_once_with_their_cases(
    profile: Profile, ctx: ServiceContext
) -> None:
    from app.demo import fill_profile

    with profile.engine.begin() as connection:  # the owner's own rows: as if synced
        connection.execute(OUTBOX.delete())
    fill_profile(profile, beneficiaries=3, seed=1)
    assert pending_count(profile) == 0  # bulk Core inserts bypass capture
    queued = queue_all(profile)
    assert queued > 3
    assert queue_all(profile) == 0
    rows = outbox_rows(profile)
    goals = [row for row in rows if row.record_type == "goal"]
    with profile.engine.connect() as connection:
        cases = dict(
            connection.execute(
                select(Goal.id, ActionPlan.beneficiary_id).join(
                    ActionPlan, Goal.plan_id == ActionPlan.id
                )
            ).all()
        )
    assert goals and all(row.case_id == cases[row.record_id] for row in goals)
    kinds = [row.record_type for row in rows]
    assert kinds.index("facility") < kinds.index("beneficiary") < kinds.index("goal")


def _pretend_synced(profile: Profile, record_id: uuid.UUID, version: int) -> None:
    """As if the server had acknowledged the record at ``version`` (outbox emptied)."""
    with profile.engine.begin() as connection:
        connection.execute(OUTBOX.delete().where(OUTBOX.c.record_id == record_id))
        connection.execute(
            BASE.insert().values(record_type="beneficiary", record_id=record_id, version=version)
        )


def test_a_deletion_does_not_swallow_a_pending_edit(profile: Profile, ctx: ServiceContext) -> None:
    """Sent apart, the edit lands on the server before the delete (found by the random test)."""
    person = beneficiaries.register(ctx, {"last_name": "Hajji", "first_name": "Leila"})
    _pretend_synced(profile, person.id, version=3)
    beneficiaries.update(ctx, person.id, {"phone": "0612"})
    beneficiaries.delete(ctx, person.id)
    edit, deletion = rows_for(profile, person.id)
    assert (edit.op, edit.fields["phone"], edit.base_version) == ("upsert", "0612", 3)
    assert (deletion.op, deletion.base_version) == ("delete", 3)
    assert "phone" not in deletion.fields


def test_every_profile_session_captures_changes(profile: Profile) -> None:
    """Capture does not depend on what was imported: the profile's own session factory
    carries the flush pipeline, so no edit made through it can skip the outbox."""
    from app.services.flush_pipeline import installed

    assert installed(profile.sessions)


def test_importing_the_models_and_the_sync_registers_nothing_globally() -> None:
    """The listeners live on the profile's sessions, never on SQLAlchemy's Session class."""
    code = (
        "import sys, app.cli, app.sync.engine, app.services.flush_pipeline;"
        "from sqlalchemy.orm import Session; s = Session();"
        "names = ('before_flush', 'after_flush', 'after_commit', 'after_rollback');"
        "sys.exit(sum(len(getattr(s.dispatch, n)) for n in names))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0
