"""Scenario 11: three laptops doing random edits, deletes and syncs converge, losing nothing.

A seeded loop (reproducible: the seed is in the test id). At the end every laptop and
the server hold the same records, and every value ever typed is either the current
value, or one of the two values of a conflict record, or was replaced knowingly (the
laptop that replaced it was showing it at the time).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from app.models import Beneficiary, SyncConflict
from app.services import beneficiaries, followup
from app.sync import outbox
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, server_state

FIELDS = ("phone", "address", "contact_person", "registration_number")
STEPS = 70
Written = tuple[str, str, str]  # (beneficiary id, field, value)


class World:
    """The three laptops and everything typed on them."""

    def __init__(self, laptops: list[Laptop], rng: random.Random) -> None:
        self.laptops = laptops
        self.rng = rng
        self.written: set[Written] = set()
        self.replaced: set[Written] = set()  # values a person overwrote while seeing them

    def live_cases(self, laptop: Laptop) -> list[Beneficiary]:
        with laptop.profile.sessions() as session:
            query = select(Beneficiary).where(Beneficiary.deleted_at.is_(None))
            return list(session.scalars(query.order_by(Beneficiary.id)))

    def step(self, number: int) -> None:
        laptop = self.rng.choice(self.laptops)
        cases = self.live_cases(laptop)
        roll = self.rng.random()
        if not cases or roll < 0.12:
            beneficiaries.register(
                laptop.ctx, {"last_name": f"Case{number}", "first_name": "Random"}
            )
        elif roll < 0.55:
            case = self.rng.choice(cases)
            name = self.rng.choice(FIELDS)
            value = f"v{number}"
            current = getattr(case, name)
            if current is not None:
                self.replaced.add((str(case.id), name, current))
            beneficiaries.update(laptop.ctx, case.id, {name: value})
            self.written.add((str(case.id), name, value))
        elif roll < 0.62:
            beneficiaries.delete(laptop.ctx, self.rng.choice(cases).id)
        elif roll < 0.68:
            followup.record_session(
                laptop.ctx, self.rng.choice(cases).id, held_on=date(2026, 1, 2), note=f"n{number}"
            )
        else:
            laptop.sync()

    def settle(self) -> None:
        for _round in range(3):
            for laptop in self.laptops:
                laptop.sync()
        assert all(outbox.pending_count(laptop.profile) == 0 for laptop in self.laptops)


def _conflict_values(laptop: Laptop) -> set[Written]:
    values: set[Written] = set()
    with laptop.profile.sessions() as session:
        for conflict in session.scalars(select(SyncConflict)):
            for value in (conflict.kept_value, conflict.other_value):
                values.add((str(conflict.target_id), conflict.field, value))
    return values


@pytest.mark.parametrize("seed", [1, 2])
def test_three_laptops_converge_and_lose_nothing(
    server: RunningServer, laptop: Callable[..., Laptop], seed: int
) -> None:
    team = f"Team {uuid.uuid4().hex[:8]}"
    accounts = [server.add_user(team=team) for _ in range(3)]
    world = World([laptop(account) for account in accounts], random.Random(seed))
    for number in range(STEPS):
        world.step(number)
    world.settle()

    first, *others = world.laptops
    reference = first.state()
    assert all(other.state() == reference for other in others)
    assert server_state(server, accounts[0]) == reference

    in_conflicts = _conflict_values(first)
    lost = [
        (record_id, name, value)
        for record_id, name, value in world.written
        if reference[("beneficiary", record_id)][name] != value
        and (record_id, name, value) not in in_conflicts
        and (record_id, name, value) not in world.replaced
    ]
    assert lost == []
