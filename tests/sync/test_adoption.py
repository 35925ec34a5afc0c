"""An offline-started profile holding a few hundred records joins the server once.

``passerelle init`` then weeks of work (the demo generator's cases, with assessments,
plans, sessions, referrals): enrolling adopts the profile, everything is uploaded once
(a second sync sends nothing), nothing is refused, and a colleague of the same team
receives every case with all its records. Real server, SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from app.demo import fill_profile
from app.models import (
    ActionPlan,
    Base,
    Beneficiary,
    FollowUpSession,
    NeedsAssessment,
    StaffMember,
    Team,
)
from app.services import owner
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import adopt, engine
from passerelle_core.enums import StaffRole
from server.services import accounts
from server.services.passwords import Passwords
from tests.conftest import PASSPHRASE
from tests.server.harness import PASSWORD, Account, RunningServer
from tests.sync.conftest import Laptop, laptop, server  # noqa: F401

COUNTED = (Beneficiary, NeedsAssessment, ActionPlan, FollowUpSession)


def counts(profile: Profile) -> dict[str, int]:
    with profile.sessions() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in COUNTED
        }


def test_an_offline_profile_is_adopted_uploaded_once_and_seen_by_the_team(
    server: RunningServer,  # noqa: F811
    laptop: Callable[..., Laptop],  # noqa: F811
    tmp_path: Path,
) -> None:
    account = _account_with_facility(server)
    profile = Profile.create(tmp_path / "offline", PASSPHRASE, KdfParams.fast_for_tests())
    try:
        actor = owner.setup_owner(
            profile.sessions,
            "Amina Offline",
            StaffRole.SOCIAL_WORKER,
            facility_name="Prison locale",
            team_name="Mine",
        )
        fill_profile(profile, beneficiaries=12, seed=3)
        _only_her_own(profile, actor.staff_id)
        before = counts(profile)
        assert before["beneficiary"] == 12 and before["needs_assessment"] > 0
        assert before["action_plan"] > 0 and before["follow_up_session"] > 0

        outcome = engine.enrol_with_outcome(
            profile, server.url, account.username, account.password, "laptop"
        )
        assert outcome.adopted and outcome.queued >= 200
        report = engine.sync(profile)
        assert report.complete, report
        assert report.sent == outcome.queued and report.rejected == 0
        again = engine.sync(profile)
        assert again.sent == 0 and again.complete  # uploaded once
        assert counts(profile) == before  # nothing lost, nothing duplicated
        with profile.sessions() as session:
            teams = set(session.scalars(select(Beneficiary.team_id)))
            staff = set(session.scalars(select(Beneficiary.assigned_staff_id)))
        assert teams == {account.team_id} and staff == {account.staff_id}

        colleague = laptop(server.add_user("social_worker", account.team))
        assert counts(colleague.profile) == before
    finally:
        profile.close()


def _account_with_facility(running: RunningServer) -> Account:
    """An account whose team belongs to a facility (accounts are made at the office)."""
    team, username = f"Team {uuid.uuid4().hex[:6]}", f"amina-{uuid.uuid4().hex[:6]}"
    with running.database.session() as session:
        info = accounts.add_user(
            session,
            accounts.NewUser(username, PASSWORD, "social_worker", team, facility="Prison"),
            Passwords.from_settings(running.settings),
        )
    return Account(username, PASSWORD, info.staff_id, "social_worker", info.team_id, team)


def _only_her_own(profile: Profile, staff_id: uuid.UUID) -> None:
    """The demo organisation's colleagues, teams and prisons become hers: a profile
    started offline holds one person's work, in her own team and facility."""
    with profile.engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        staff, team = StaffMember.__table__, Team.__table__
        team_id, facility_id = connection.execute(
            select(team.c.id, team.c.facility_id)
            .join(staff, staff.c.team_id == team.c.id)
            .where(staff.c.id == staff_id)
        ).one()
        keep = {"staff_member": staff_id, "team": team_id, "facility": facility_id}
        for table_name, own in keep.items():
            for column in adopt._references(table_name):
                connection.execute(
                    column.table.update().where(column.is_not(None)).values({column.name: own})
                )
        for table_name, own in keep.items():
            table = Base.metadata.tables[table_name]
            connection.execute(table.delete().where(table.c.id != own))
