"""The demo's institutions: facilities with their teams and staff, partners and services.

What the case generator needs to know about them (who works where, which partner
answers which need, in which city) is returned as plain lookup structures, so that
generating 50,000 cases never queries the database.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Connection, select

from app.demo import names, places
from app.demo.records import Clock, RowBuffer, synced
from app.models import Facility, Team
from app.services.context import Actor
from passerelle_core.enums import FacilityKind, StaffRole

CASEWORKER_ROLES = (StaffRole.SOCIAL_WORKER, StaffRole.EDUCATOR, StaffRole.PSYCHOLOGIST)
ORGANISATION_AGE_DAYS = 8 * 365
"""Institutions were registered about eight years before ``today``, before any case."""


@dataclass(frozen=True)
class StaffRef:
    id: uuid.UUID
    role: StaffRole
    team_id: uuid.UUID


@dataclass
class TeamRef:
    id: uuid.UUID
    requires_approval: bool
    supervisor: uuid.UUID | None = None
    caseworkers: list[StaffRef] = field(default_factory=list)
    psychologists: list[StaffRef] = field(default_factory=list)
    members: list[StaffRef] = field(default_factory=list)


@dataclass
class FacilityRef:
    id: uuid.UUID
    spec: places.FacilitySpec
    teams: list[TeamRef] = field(default_factory=list)
    registration_counter: int = 0

    @property
    def city(self) -> places.City:
        return places.CITIES[self.spec.city]


@dataclass(frozen=True)
class ServiceRef:
    id: uuid.UUID
    partner_id: uuid.UUID
    name: str
    city: str


@dataclass
class Organisation:
    prisons: list[FacilityRef]
    regional: FacilityRef | None
    services_by_domain: dict[str, list[ServiceRef]]
    owner: StaffRef | None
    owner_team: TeamRef | None
    owner_facility: FacilityRef | None


def person_name(clock: Clock, female: bool) -> tuple[str, str, str, str]:
    """(first, last, first in Arabic, last in Arabic)."""
    first = clock.rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
    last = clock.rng.choice(names.FAMILY_NAMES)
    return first[0], last[0], first[1], last[1]


def mobile_phone(clock: Clock) -> str:
    digits = clock.rng.randrange(10**8)
    prefix = clock.rng.choice(("06", "06", "07"))
    text = f"{digits:08d}"
    return f"{prefix} {text[0:2]} {text[2:4]} {text[4:6]} {text[6:8]}"


def landline(clock: Clock, city: places.City) -> str:
    text = f"{clock.rng.randrange(10**6):06d}"
    return f"{city.phone_prefix[:2]} {city.phone_prefix[2:]} {text[0:2]} {text[2:4]} {text[4:6]}"


def ascii_slug(text: str, separator: str = ".") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return separator.join(
        part for part in "".join(c if c.isalnum() else " " for c in plain).split()
    )


def build_organisation(
    connection: Connection, clock: Clock, buffer: RowBuffer, owner: Actor | None
) -> Organisation:
    """Facilities (reusing any of the same name or code), teams, staff, partners."""
    existing = {
        key: facility_id
        for facility_id, code, name in connection.execute(
            select(Facility.id, Facility.code, Facility.name)
        )
        for key in (code, name)
    }
    since = clock.today - timedelta(days=ORGANISATION_AGE_DAYS)
    usernames: set[str] = set()
    facilities: list[FacilityRef] = []
    for spec in places.FACILITIES:
        facility_id = existing.get(spec.name) or existing.get(spec.code)
        if facility_id is None:
            facility_id = clock.new_id()
            city = places.CITIES[spec.city]
            buffer.rows["facility"].append(
                synced(facility_id, clock.at(since))
                | {
                    "code": spec.code,
                    "name": spec.name,
                    "name_ar": spec.name_ar,
                    "kind": spec.kind,
                    "region": city.region,
                    "city": city.name,
                }
            )
        facility = FacilityRef(facility_id, spec)
        for team_name, requires_approval in spec.teams:
            facility.teams.append(
                _team(clock, buffer, facility, team_name, requires_approval, usernames)
            )
        facilities.append(facility)

    owner_ref, owner_team, owner_facility = _owner(connection, owner, facilities)
    prisons = [f for f in facilities if f.spec.kind is FacilityKind.PRISON]
    regional = next((f for f in facilities if f.spec.kind is FacilityKind.REGIONAL_OFFICE), None)
    return Organisation(
        prisons=prisons,
        regional=regional,
        services_by_domain=_partners(clock, buffer, since),
        owner=owner_ref,
        owner_team=owner_team,
        owner_facility=owner_facility,
    )


def _team(
    clock: Clock,
    buffer: RowBuffer,
    facility: FacilityRef,
    name: str,
    requires_approval: bool,
    usernames: set[str],
) -> TeamRef:
    rng = clock.rng
    team = TeamRef(clock.new_id(), requires_approval)
    buffer.rows["team"].append(
        synced(team.id, clock.at(clock.today - timedelta(days=ORGANISATION_AGE_DAYS)))
        | {"name": name, "facility_id": facility.id, "requires_plan_approval": requires_approval}
    )
    roles = [StaffRole.SUPERVISOR]
    roles += [StaffRole.PSYCHOLOGIST] * rng.randint(1, 2)
    roles += [StaffRole.SOCIAL_WORKER] * rng.randint(2, 4)
    roles += [StaffRole.EDUCATOR] * rng.randint(1, 2)
    for position, role in enumerate(roles):
        staff = StaffRef(clock.new_id(), role, team.id)
        # Now and then a colleague has left: kept on record, given no new work.
        active = position < 4 or rng.random() > 0.15
        female = rng.random() < 0.55
        first, last, first_ar, last_ar = person_name(clock, female)
        username = ascii_slug(f"{first[0]} {last}")
        while username in usernames:
            username = f"{ascii_slug(f'{first[0]} {last}')}{rng.randint(2, 99)}"
        usernames.add(username)
        hired = clock.today - timedelta(days=rng.randint(30, ORGANISATION_AGE_DAYS))
        buffer.rows["staff_member"].append(
            synced(staff.id, clock.at(hired))
            | {
                "full_name": f"{first} {last}",
                "full_name_ar": f"{first_ar} {last_ar}",
                "role": role,
                "team_id": team.id,
                "username": username,
                "email": f"{username}@dgapr.example",
                "phone": mobile_phone(clock),
                "active": active,
            }
        )
        if not active:
            continue
        team.members.append(staff)
        if role is StaffRole.SUPERVISOR:
            team.supervisor = staff.id
        else:
            team.caseworkers.append(staff)
        if role is StaffRole.PSYCHOLOGIST:
            team.psychologists.append(staff)
    return team


def _owner(
    connection: Connection, owner: Actor | None, facilities: list[FacilityRef]
) -> tuple[StaffRef | None, TeamRef | None, FacilityRef | None]:
    """The profile owner as a caseworker of their own team (and facility, when it is ours)."""
    if owner is None or owner.team_id is None:
        return None, None, None
    staff = StaffRef(owner.staff_id, owner.role, owner.team_id)
    facility_id, requires_approval = connection.execute(
        select(Team.facility_id, Team.requires_plan_approval).where(Team.id == owner.team_id)
    ).one()
    team = TeamRef(owner.team_id, requires_approval, members=[staff], caseworkers=[staff])
    if owner.is_psychologist:
        team.psychologists.append(staff)
    facility = next((f for f in facilities if f.id == facility_id), None)
    if facility is not None and facility.teams:
        # Colleagues of the owner's facility supervise and stand in for psychologists.
        team.supervisor = facility.teams[0].supervisor
        team.psychologists = team.psychologists or facility.teams[0].psychologists
    return staff, team, facility


def _partners(clock: Clock, buffer: RowBuffer, since: date) -> dict[str, list[ServiceRef]]:
    rng = clock.rng
    by_domain: dict[str, list[ServiceRef]] = {}
    for spec in places.PARTNERS:
        partner_id = clock.new_id()
        city = places.CITIES[spec.city]
        slug = ascii_slug(spec.name, "-")[:40].rstrip("-")
        street = rng.choice(places.MAIN_STREETS)
        registered = clock.between(since, clock.today - timedelta(days=400))
        buffer.rows["partner"].append(
            synced(partner_id, clock.at(registered))
            | {
                "name": spec.name,
                "name_ar": spec.name_ar,
                "kind": spec.kind,
                "city": city.name,
                "address": f"{rng.randint(1, 180)}, {street}, {city.name}",
                "phone": landline(clock, city),
                "email": f"contact@{slug}.example",
                "notes": None,
            }
        )
        for index in range(rng.randint(1, min(3, len(spec.positions) + 1))):
            first, last, _, _ = person_name(clock, rng.random() < 0.5)
            buffer.rows["partner_contact"].append(
                synced(clock.new_id(), clock.at(registered))
                | {
                    "partner_id": partner_id,
                    "full_name": f"{first} {last}",
                    "position": spec.positions[index % len(spec.positions)],
                    "phone": mobile_phone(clock),
                    "email": f"{ascii_slug(f'{first[0]} {last}')}@{slug}.example",
                }
            )
        for service_name, domain_id in spec.services:
            service = ServiceRef(clock.new_id(), partner_id, service_name, city.name)
            buffer.rows["partner_service"].append(
                synced(service.id, clock.at(registered))
                | {
                    "partner_id": partner_id,
                    "name": service_name,
                    "domain_id": domain_id,
                    "description": None,
                }
            )
            by_domain.setdefault(domain_id, []).append(service)
    return by_domain
