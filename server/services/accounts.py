"""Server accounts: a user *is* a staff member (same UUID), with an Argon2id password.

Adding a user also writes the ``team`` (and ``facility``) and the user's own
``staff_member`` record into the record store, so every laptop receives them by sync
and records written offline name their author correctly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.enums import FacilityKind, StaffRole
from passerelle_core.protocol import UserInfo
from server.core.db import read_transaction, write_transaction
from server.core.tables import Record, ServerUser, TeamKey
from server.services.errors import ServiceError
from server.services.passwords import Passwords
from server.services.scope import ORGANISATION
from server.services.sequence import SequenceAllocator
from server.services.store import create_record
from server.services.wire import canonical, new_record_data

ROLES = tuple(role.value for role in StaffRole)
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    team: str
    full_name: str | None = None
    facility: str | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def user_info(user: ServerUser) -> UserInfo:
    return UserInfo(
        staff_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        team_id=user.team_id,
        facility_id=user.facility_id,
    )


def add_user(session: Session, new: NewUser, passwords: Passwords) -> UserInfo:
    username = normalise_username(new.username)
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise ServiceError("a username is 1 to 100 characters without spaces")
    if new.role not in ROLES:
        raise ServiceError(f"unknown role {new.role!r} (one of {', '.join(ROLES)})")
    if len(new.password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if not new.team.strip():
        raise ServiceError("a team name cannot be empty")
    password_hash = passwords.hash(new.password)
    with write_transaction(session):
        if session.scalar(select(ServerUser.id).where(ServerUser.username == username)):
            raise ServiceError(f"user {username!r} already exists")
        seqs = SequenceAllocator(session)
        facility_id = _facility(session, seqs, new.facility.strip()) if new.facility else None
        team_id = _team(session, seqs, new.team.strip(), facility_id)
        staff_id = uuid.uuid4()
        full_name = (new.full_name or username).strip()
        _organisation_record(
            session,
            seqs,
            "staff_member",
            staff_id,
            {
                "full_name": full_name,
                "role": new.role,
                "team_id": str(team_id),
                "username": username,
                "active": True,
            },
        )
        user = ServerUser(
            id=staff_id,
            username=username,
            password_hash=password_hash,
            role=new.role,
            team_id=team_id,
            facility_id=facility_id,
            full_name=full_name,
        )
        session.add(user)
        seqs.save()
    return user_info(user)


def list_users(session: Session) -> list[tuple[ServerUser, str | None]]:
    """Every user with the name of their team."""
    with read_transaction(session):
        users = session.scalars(select(ServerUser).order_by(ServerUser.username)).all()
        teams = {r.record_id: r.data.get("name") for r in _living(session, "team")}
        return [(user, teams.get(user.team_id) if user.team_id else None) for user in users]


def disable_user(session: Session, username: str) -> None:
    with write_transaction(session):
        user = session.scalar(
            select(ServerUser).where(ServerUser.username == normalise_username(username))
        )
        if user is None:
            raise ServiceError(f"no user {username!r}", "not_found")
        user.disabled = True


def _team(
    session: Session, seqs: SequenceAllocator, key: str, facility_id: uuid.UUID | None
) -> uuid.UUID:
    """The team a stable key (or a team id) names; a new team named ``key`` otherwise.

    Never found by display name: a renamed team keeps its key, and a team renamed to
    look like another cannot capture that team's newcomers.
    """
    try:
        team_id = uuid.UUID(key)
    except ValueError:
        pass
    else:
        team = session.get(Record, ("team", team_id))
        if team is None or team.deleted:
            raise ServiceError(f"no team with id {key}", "not_found")
        return team_id
    known = session.get(TeamKey, key.casefold())
    if known is not None:
        return known.team_id
    team_id = uuid.uuid4()
    values = {"name": key, "facility_id": canonical(facility_id)}
    _organisation_record(session, seqs, "team", team_id, values)
    session.add(TeamKey(key=key.casefold(), team_id=team_id))
    return team_id


def _facility(session: Session, seqs: SequenceAllocator, name: str) -> uuid.UUID:
    for record in _living(session, "facility"):
        if name.casefold() in (str(record.data.get(k, "")).casefold() for k in ("code", "name")):
            return record.record_id
    facility_id = uuid.uuid4()
    values = {"code": name[:32], "name": name, "kind": FacilityKind.PRISON.value}
    _organisation_record(session, seqs, "facility", facility_id, values)
    return facility_id


def _organisation_record(
    session: Session,
    seqs: SequenceAllocator,
    record_type: str,
    record_id: uuid.UUID,
    values: dict[str, Any],
) -> None:
    data = new_record_data(record_type, record_id, values)
    create_record(session, seqs, record_type, record_id, data, ORGANISATION, device_id=None)


def _living(session: Session, record_type: str) -> list[Record]:
    return list(
        session.scalars(
            select(Record).where(Record.record_type == record_type, Record.deleted.is_(False))
        )
    )
