"""Organisation look-ups: colleagues, facilities and whether plans need approval."""

from __future__ import annotations

from collections.abc import Callable

from app.models import StaffMember, Team
from app.services import beneficiaries, organisation
from app.services.context import ServiceContext
from app.store.profile import Profile
from passerelle_core.enums import StaffRole

Colleague = Callable[[StaffRole], ServiceContext]


def test_staff_listed_own_team_first_and_named(
    profile: Profile, ctx: ServiceContext, colleague: Colleague
) -> None:
    psy = colleague(StaffRole.PSYCHOLOGIST)
    with profile.sessions.begin() as session:
        other_team = Team(name="Autre équipe")
        session.add(other_team)
        session.flush()
        session.add(
            StaffMember(full_name="Aaron Outsider", role=StaffRole.EDUCATOR, team_id=other_team.id)
        )
        session.add(
            StaffMember(
                full_name="Gone Away",
                role=StaffRole.EDUCATOR,
                team_id=ctx.actor.team_id,
                active=False,
            )
        )
    names = [member.full_name for member in organisation.list_staff(ctx)]
    assert names == ["Amina Tazi", "Colleague psychologist", "Aaron Outsider"]
    everyone = organisation.list_staff(ctx, include_inactive=True)
    assert "Gone Away" in [member.full_name for member in everyone]
    by_id = organisation.staff_names(ctx)
    assert by_id[psy.actor.staff_id] == "Colleague psychologist"
    assert len(by_id) == 4


def test_home_facility_and_facilities(ctx: ServiceContext) -> None:
    facilities = organisation.list_facilities(ctx)
    assert [facility.name for facility in facilities] == ["Prison locale Oukacha"]
    assert organisation.home_facility_id(ctx) == facilities[0].id


def test_plan_needs_approval_follows_the_team(profile: Profile, ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Youssef"})
    assert organisation.plan_needs_approval(ctx, person.id) is False
    with profile.sessions.begin() as session:
        team = session.get(Team, ctx.actor.team_id)
        assert team is not None
        team.requires_plan_approval = True
    assert organisation.plan_needs_approval(ctx, person.id) is True
