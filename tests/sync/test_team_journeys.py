"""A team's first day, in every order: placement never depends on when a laptop enrols.

Two counsellors and a supervisor of one team and a counsellor of another each go
through enrol, create (register a beneficiary), import (a CSV of one) and their first
sync, in **every** order where the sync comes after the enrolment (itertools: 12), all
four laptops step by step together against one real server. Create or import before
enrolling is an offline start (``passerelle init``): the enrolment adopts the profile.
After everybody has synced, each laptop holds exactly its team's cases, every case on
the server is placed in its creator's team, and the supervisor's dashboard counts them.

Services are driven in-process (create, import), the server is a real process. Every
ordering runs on SQLite; PostgreSQL runs a sample, to keep the suite's time bounded.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

import app.sync  # noqa: F401  (change capture on every session)
from app.indicators.compute import compute
from app.indicators.period import Period, Scope
from app.models import Beneficiary, StaffMember
from app.services import beneficiaries, owner
from app.services.context import ServiceContext
from app.services.importer import import_beneficiaries
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from passerelle_core.enums import StaffRole
from tests.conftest import PASSPHRASE
from tests.server.harness import Account, RunningServer
from tests.sync.conftest import database_url, server  # noqa: F401  (fixtures)

EVENTS = ("enrol", "create", "import", "sync")
ORDERINGS = [
    order for order in itertools.permutations(EVENTS) if order.index("enrol") < order.index("sync")
]
POSTGRES_SAMPLE = {ORDERINGS[0], ORDERINGS[5], ORDERINGS[-1]}  # sync first, middle, last


@dataclass
class Member:
    """One person of the journey and their laptop."""

    account: Account
    folder: Path
    profile: Profile
    names: list[str] = field(default_factory=list)  # beneficiaries this person made

    @property
    def ctx(self) -> ServiceContext:
        if owner.load_actor(self.profile.sessions) is None:  # an offline start
            owner.setup_owner(
                self.profile.sessions,
                f"Offline {self.account.username}",
                StaffRole(self.account.role),
                team_name=f"Local team of {self.account.username}",
            )
        return owner.owner_context(self.profile.sessions)

    def step(self, event: str, server_url: str) -> None:
        tag = self.account.username
        if event == "enrol":
            engine.enrol(self.profile, server_url, tag, self.account.password, self.folder.name)
        elif event == "create":
            name = f"Created {tag}"
            beneficiaries.register(self.ctx, {"last_name": name, "first_name": "Amina"})
            self.names.append(name)
        elif event == "import":
            name = f"Imported {tag}"
            path = self.folder.parent / f"{tag}.csv"
            path.write_text(f"last_name,first_name\n{name},Youssef\n", encoding="utf-8")
            report = import_beneficiaries(self.ctx, path)
            assert report.created == 1
            self.names.append(name)
        else:
            report = engine.sync(self.profile)
            assert report.complete, report

    def live_cases(self) -> dict[str, uuid.UUID | None]:
        with self.profile.sessions() as session:
            rows = session.execute(
                select(Beneficiary.last_name, Beneficiary.team_id).where(
                    Beneficiary.deleted_at.is_(None)
                )
            ).all()
        return {name: team for name, team in rows}


@pytest.fixture
def team_day(
    server: RunningServer,  # noqa: F811
    tmp_path: Path,
) -> Iterator[dict[str, Member]]:
    team, other = f"Team {uuid.uuid4().hex[:6]}", f"Other {uuid.uuid4().hex[:6]}"
    accounts = {
        "counsellor1": server.add_user("social_worker", team),
        "counsellor2": server.add_user("social_worker", team),
        "supervisor": server.add_user("supervisor", team),
        "elsewhere": server.add_user("social_worker", other),
    }
    members = {}
    for key, account in accounts.items():
        folder = tmp_path / key
        profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
        members[key] = Member(account, folder, profile)
    yield members
    for member in members.values():
        member.profile.close()


@pytest.mark.parametrize("order", ORDERINGS, ids=lambda order: "-".join(order))
def test_every_case_reaches_its_team_whatever_the_order(
    order: tuple[str, ...],
    server: RunningServer,  # noqa: F811
    team_day: dict[str, Member],
) -> None:
    if server.database_url is not None and order not in POSTGRES_SAMPLE:
        pytest.skip("PostgreSQL runs a sample of the orderings; SQLite runs them all")
    members = list(team_day.values())
    for event in order:
        for member in members:
            member.step(event, server.url)
    for _round in range(2):  # the second round delivers what others sent in the first
        for member in members:
            assert engine.sync(member.profile).complete

    team_members = [team_day[k] for k in ("counsellor1", "counsellor2", "supervisor")]
    team_id = team_day["counsellor1"].account.team_id
    team_cases = {name for member in team_members for name in member.names}
    assert len(team_cases) == 6
    for member in team_members:
        cases = member.live_cases()
        assert set(cases) == team_cases, member.account.username
        assert set(cases.values()) == {team_id}
    elsewhere = team_day["elsewhere"]
    assert set(elsewhere.live_cases()) == set(elsewhere.names)
    assert set(elsewhere.live_cases().values()) == {elsewhere.account.team_id}

    # Every laptop belongs to its account: no offline owner, team or case left behind.
    for member in members:
        actor = owner.load_actor(member.profile.sessions)
        assert actor is not None and actor.staff_id == member.account.staff_id
        assert actor.team_id == member.account.team_id
        with member.profile.sessions() as session:
            local = session.scalars(
                select(StaffMember.full_name).where(StaffMember.full_name.like("Offline %"))
            ).all()
        assert local == []

    supervisor = team_day["supervisor"]
    figures = compute(
        owner.owner_context(supervisor.profile.sessions),
        Period.month(date.today()),
        Scope(team_id=team_id),
    )
    assert figures.followed == 6
    assert figures.new_intakes == 6
