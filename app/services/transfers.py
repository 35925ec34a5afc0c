"""Case transfers: a supervisor hands one case or a selection to another counsellor or team.

Each transfer is a synced ``case_transfer`` record (from whom, to whom, by whom, when,
why): the case's history, shown in its timeline. The beneficiary then names its new
team and counsellor; the server moves the case out of the old team's scope and into the
new one's. The transfer records are flushed before the moves, so they reach the server
first (while the case is still the sender's). Edits still waiting on the old
counsellor's laptop are not lost: the server takes them until that laptop has been told
the case left (server.services.transfers).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from app.i18n import _
from app.models import Beneficiary, CaseTransfer, StaffMember, Team
from app.security.permissions import Permission, require
from app.services.context import ServiceContext
from app.services.errors import NotFound, ServiceError
from app.services.lookup import get_live
from passerelle_core.enums import CaseStatus

RECENT_DAYS = 14
"""A case transferred to you within this many days is in your worklist as such."""


@dataclass(frozen=True)
class Received:
    """A case lately transferred to the acting person or their team."""

    beneficiary_id: uuid.UUID
    beneficiary_name: str
    transferred_on: date
    reason: str


class TransferRefused(ServiceError):
    """A transfer that cannot be made as asked: one line saying why."""


def transfer(
    ctx: ServiceContext,
    beneficiary_ids: Sequence[uuid.UUID],
    *,
    reason: str,
    to_staff_id: uuid.UUID | None = None,
    to_team_id: uuid.UUID | None = None,
) -> list[CaseTransfer]:
    """Transfer the cases (one transaction); cases already there are left as they are.

    To a counsellor: the case joins their team. To a team: its counsellor stays if they
    belong to that team, else the case waits for the team's supervisor to assign it.
    """
    require(ctx, Permission.TRANSFER_CASE)
    reason = reason.strip()
    if not reason:
        raise TransferRefused(_("Give the reason for the transfer."))
    if (to_staff_id is None) == (to_team_id is None):
        raise TransferRefused(_("Choose either a counsellor or a team to transfer to."))
    if not beneficiary_ids:
        raise TransferRefused(_("Choose the cases to transfer."))
    today = ctx.today()
    with ctx.transaction() as session:
        staff: StaffMember | None = None
        if to_staff_id is not None:
            staff = get_live(session, StaffMember, to_staff_id, _("Staff member"))
            if not staff.active:
                raise TransferRefused(_("This staff member is no longer active."))
            to_team_id = staff.team_id
        else:
            assert to_team_id is not None
            get_live(session, Team, to_team_id, _("Team"))
        people = [
            get_live(session, Beneficiary, case_id, _("Beneficiary"))
            for case_id in dict.fromkeys(beneficiary_ids)
        ]
        moves: list[tuple[Beneficiary, uuid.UUID | None]] = []
        made: list[CaseTransfer] = []
        for person in people:
            new_staff = staff.id if staff is not None else _staff_in_team(person, to_team_id)
            if (person.team_id, person.assigned_staff_id) == (to_team_id, new_staff):
                continue
            made.append(
                CaseTransfer(
                    beneficiary_id=person.id,
                    transferred_on=today,
                    transferred_by_id=ctx.actor.staff_id,
                    from_staff_id=person.assigned_staff_id,
                    from_team_id=person.team_id,
                    to_staff_id=new_staff,
                    to_team_id=to_team_id,
                    reason=reason,
                )
            )
            moves.append((person, new_staff))
        if not made:
            raise TransferRefused(_("These cases are already there: nothing to transfer."))
        session.add_all(made)
        session.flush()  # the history first: it reaches the server before the moves
        for person, new_staff in moves:
            person.team_id = to_team_id
            person.assigned_staff_id = new_staff
        session.flush()
        return made


def history(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[CaseTransfer]:
    """Every transfer of the case, the oldest first."""
    with ctx.reading() as session:
        return list(
            session.scalars(
                select(CaseTransfer)
                .where(
                    CaseTransfer.beneficiary_id == beneficiary_id,
                )
                .order_by(CaseTransfer.transferred_on, CaseTransfer.created_at)
            )
        )


def transferred_to_me(ctx: ServiceContext) -> set[uuid.UUID]:
    """Cases transferred to the acting person or their team lately (by someone else)."""
    return {entry.beneficiary_id for entry in received(ctx)}


def received(ctx: ServiceContext) -> list[Received]:
    """The transfers to the acting person (or their team) of the last days, open cases."""
    since = ctx.today() - timedelta(days=RECENT_DAYS)
    targets = [CaseTransfer.to_staff_id == ctx.actor.staff_id]
    if ctx.actor.team_id is not None:
        targets.append(CaseTransfer.to_team_id == ctx.actor.team_id)
    query = (
        select(
            CaseTransfer.beneficiary_id,
            Beneficiary.last_name,
            Beneficiary.first_name,
            CaseTransfer.transferred_on,
            CaseTransfer.reason,
        )
        .join(Beneficiary, Beneficiary.id == CaseTransfer.beneficiary_id)
        .where(
            CaseTransfer.transferred_on >= since,
            or_(*targets),
            func.coalesce(CaseTransfer.transferred_by_id, uuid.UUID(int=0)) != ctx.actor.staff_id,
            Beneficiary.case_status == CaseStatus.OPEN,
        )
        .order_by(CaseTransfer.transferred_on)
    )
    with ctx.reading() as session:
        rows = session.execute(query).all()
    latest = {row.beneficiary_id: row for row in rows}  # the last transfer of each case
    return [
        Received(
            case_id, f"{row.last_name.upper()} {row.first_name}", row.transferred_on, row.reason
        )
        for case_id, row in latest.items()
    ]


def staff_by_username(ctx: ServiceContext, username: str) -> StaffMember:
    with ctx.reading() as session:
        found = session.scalar(
            select(StaffMember).where(
                func.lower(StaffMember.username) == username.strip().lower(),
            )
        )
    if found is None:
        raise NotFound(_("Staff member"))
    return found


def team_by_name(ctx: ServiceContext, name: str) -> Team:
    """A team named by its name (as shown) or its id."""
    wanted = name.strip()
    with ctx.reading() as session:
        query = select(Team)
        try:
            found = list(session.scalars(query.where(Team.id == uuid.UUID(wanted))))
        except ValueError:
            found = list(session.scalars(query.where(func.lower(Team.name) == wanted.lower())))
    if len(found) != 1:
        raise NotFound(_("Team"))
    return found[0]


def targets(ctx: ServiceContext) -> tuple[list[StaffMember], list[Team]]:
    """Whom a case may be transferred to: active staff with a team, and every team."""
    with ctx.reading() as session:
        staff = list(
            session.scalars(
                select(StaffMember)
                .where(
                    StaffMember.active.is_(True),
                    StaffMember.team_id.is_not(None),
                )
                .order_by(StaffMember.full_name)
            )
        )
        teams = list(session.scalars(select(Team).order_by(Team.name)))
    return staff, teams


def _staff_in_team(person: Beneficiary, team_id: uuid.UUID | None) -> uuid.UUID | None:
    """The case's counsellor if they belong to ``team_id``, else nobody yet."""
    if person.assigned_staff_id is None:
        return None
    staff = person.assigned_staff
    return person.assigned_staff_id if staff is not None and staff.team_id == team_id else None
