"""The staff member who owns a laptop profile, and the service context acting as them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.i18n import _
from app.models import Facility, ProfileSetting, StaffMember, Team
from app.services.context import Actor, ServiceContext
from app.services.errors import ServiceError
from passerelle_core.enums import StaffRole

OWNER_KEY = "owner_staff_id"
# The owner's role and team as the server's account holds them (written at each sync):
# they take precedence over the synced staff record, which is organisation data.
ACCOUNT_ROLE_KEY = "account_role"
ACCOUNT_TEAM_KEY = "account_team_id"


def setup_owner(
    sessions: sessionmaker[Session],
    full_name: str,
    role: StaffRole,
    facility_name: str | None = None,
    team_name: str | None = None,
) -> Actor:
    """Record who this profile belongs to (first run), with their team and facility."""
    with sessions.begin() as session:
        if session.get(ProfileSetting, OWNER_KEY) is not None:
            raise ServiceError(_("This profile already has an owner."))
        facility = None
        if facility_name:
            facility = session.scalar(select(Facility).where(Facility.name == facility_name))
            if facility is None:
                facility = Facility(code=_facility_code(facility_name), name=facility_name)
                session.add(facility)
        team = Team(name=team_name or facility_name or full_name, facility=facility)
        staff = StaffMember(full_name=full_name, role=role, team=team)
        session.add_all([team, staff])
        session.flush()
        session.add(ProfileSetting(key=OWNER_KEY, value=str(staff.id)))
        return Actor(staff.id, staff.role, team.id)


def load_actor(sessions: sessionmaker[Session]) -> Actor | None:
    with sessions() as session:
        setting = session.get(ProfileSetting, OWNER_KEY)
        if setting is None:
            return None
        staff = session.get(StaffMember, uuid.UUID(setting.value))
        if staff is None:
            return None
        role = session.get(ProfileSetting, ACCOUNT_ROLE_KEY)
        if role is None:  # never synced: the profile's own first-run record
            return Actor(staff.id, staff.role, staff.team_id)
        team = session.get(ProfileSetting, ACCOUNT_TEAM_KEY)
        team_id = uuid.UUID(team.value) if team is not None and team.value else None
        return Actor(staff.id, StaffRole(role.value), team_id)


def remember_account(session: Session, role: StaffRole, team_id: uuid.UUID | None) -> bool:
    """Keep the server account's role and team for :func:`load_actor`; True if changed."""
    wanted = {ACCOUNT_ROLE_KEY: role.value, ACCOUNT_TEAM_KEY: str(team_id) if team_id else ""}
    changed = False
    for key, value in wanted.items():
        setting = session.get(ProfileSetting, key)
        if setting is None:
            session.add(ProfileSetting(key=key, value=value))
            changed = True
        elif setting.value != value:
            setting.value, changed = value, True
    return changed


def owner_context(sessions: sessionmaker[Session]) -> ServiceContext:
    actor = load_actor(sessions)
    if actor is None:
        raise ServiceError(_("This profile has no owner yet: run the first-run setup."))
    return ServiceContext(sessions, actor)


def _facility_code(name: str) -> str:
    letters = "".join(ch for ch in name.upper() if ch.isalnum())[:8] or "FAC"
    return f"{letters}-{uuid.uuid4().hex[:6]}"
