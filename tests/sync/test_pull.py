"""Pulled pages never leave a dangling reference and never hold a record for a CIN."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.models import Beneficiary, HeldRecord
from app.services import beneficiaries, followup, plans
from app.sync.engine import SyncOptions
from app.sync.pull import PageApplier, PageOutcome
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state


def test_children_delivered_before_their_case_wait_for_it(
    server: RunningServer, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reassigned case reaches its new team children first (the case is renumbered
    last): with two records a page, children wait in sync_held for their parent. Moving a
    case to another team is a supervisor's transfer (issue 20)."""
    first = laptop(server.add_user("supervisor"))
    newcomer_account = server.add_user()
    person = beneficiaries.register(first.ctx, {"last_name": "Idrissi", "first_name": "Hamza"})
    plan = plans.draft_plan(first.ctx, person.id, title="Sortie")
    plans.add_goal(first.ctx, plan.id, domain_id="housing", wording="Un logement")
    followup.record_session(first.ctx, person.id, held_on=date(2026, 2, 1), note="Premier")
    first.sync()
    newcomer = laptop(newcomer_account)
    with first.ctx.transaction() as session:
        record = session.get(Beneficiary, person.id)
        assert record is not None
        record.team_id = newcomer_account.team_id
        record.assigned_staff_id = newcomer_account.staff_id
    first.sync()

    held_after_each_page: list[int] = []
    apply = PageApplier.apply

    def counting(self: PageApplier, states: Any) -> PageOutcome:
        outcome = apply(self, states)
        held_after_each_page.append(outcome.held)
        return outcome

    monkeypatch.setattr(PageApplier, "apply", counting)
    report = newcomer.sync(SyncOptions(page_size=2))
    assert held_after_each_page[0] > 0 and held_after_each_page[-1] == 0
    assert report.held == 0
    assert newcomer.state() == server_state(server, newcomer_account)
    with newcomer.profile.sessions() as session:
        assert session.scalars(select(HeldRecord)).all() == []


def test_a_record_with_a_local_record_s_cin_is_stored_not_held(
    server: RunningServer, laptop: Callable[..., Laptop]
) -> None:
    """Two laptops register the same CIN offline: both files are stored on both laptops
    (a likely duplicate for a person to merge, tests/sync/test_duplicates_sync.py)."""
    team = f"Team {uuid.uuid4().hex[:8]}"
    first, second = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    mine = beneficiaries.register(
        first.ctx, {"last_name": "Jabri", "first_name": "Ali", "cin": "K1"}
    )
    theirs = beneficiaries.register(
        second.ctx, {"last_name": "Jabri", "first_name": "Ali", "cin": "K1"}
    )
    first.sync()
    assert second.sync().held == 0
    first.sync()
    with second.profile.sessions() as session:
        assert session.get(Beneficiary, mine.id) is not None
        assert session.get(Beneficiary, theirs.id) is not None
        assert session.scalars(select(HeldRecord)).all() == []
    assert first.state() == second.state()
