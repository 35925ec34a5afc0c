"""Bringing local work to a server that does not hold it: enrolment records, adoption,
re-upload after the server was replaced or restored (docs/sync-protocol.md).

- Enrolment writes the user's facility, team and staff record at once, so a case
  registered before the first sync is already placed in the user's team.
- *Adoption*: a profile started offline (``passerelle init``) has a local owner, team
  and facility with ids of its own. Enrolling it maps them onto the server account's
  (every reference rewritten), then queues everything it holds as new records: uploaded
  once, nothing duplicated (the ids of the records themselves never change).
- *Re-upload*: a server that lacks what it acknowledged (a new empty server, or one
  restored from an older copy) is sent every local record again. The laptop never
  deletes anything because the server forgot it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import cast

from sqlalchemy import Column, Connection, Table, delete, false, select, update

from app.models import Base, OutboxState, ProfileSetting, StaffMember, Team
from app.services.owner import OWNER_KEY
from app.sync import state
from app.sync.audit_upload import ACKED_KEY, rechain
from app.sync.outbox import queue_records, unsent
from app.sync.pull import PageApplier
from app.sync.state import BASE, OUTBOX, model_table
from passerelle_core.protocol import RecordState, UserInfo

STAFF_COLUMNS = ("updated_by_id", "kept_by", "other_by", "resolved_by")
"""Columns naming a staff member without a foreign key (authors are not constrained)."""

WAITING = (OutboxState.PENDING, OutboxState.INFLIGHT)
SERVER_MANAGED = frozenset({"staff_member", "team", "facility"})


def write_organisation(connection: Connection, records: Sequence[RecordState]) -> None:
    """The enrolment's facility, team and staff record, as a pulled page would write them."""
    if records:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        PageApplier(connection).apply(records)


def adopt(connection: Connection, local_owner: uuid.UUID, user: UserInfo) -> int:
    """Make the server account the owner of every local record; queue them all.

    Returns the number of records queued. Runs in the enrolment's transaction: an
    interrupted adoption leaves the profile as it was, still never enrolled.
    """
    staff = model_table(StaffMember)
    local_team = connection.execute(
        select(staff.c.team_id).where(staff.c.id == local_owner)
    ).scalar_one_or_none()
    team = model_table(Team)
    local_facility = (
        connection.execute(select(team.c.facility_id).where(team.c.id == local_team)).scalar()
        if local_team is not None
        else None
    )
    # The account's facility, else its team's (delivered with the enrolment).
    server_facility = user.facility_id or (
        connection.execute(select(team.c.facility_id).where(team.c.id == user.team_id)).scalar()
        if user.team_id is not None
        else None
    )
    mapping: list[tuple[str, uuid.UUID | None, uuid.UUID | None]] = [
        ("staff_member", local_owner, user.staff_id),
        ("team", local_team, user.team_id),
        ("facility", local_facility, server_facility),
    ]
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    for table_name, old, new in mapping:
        if old is None or new is None or old == new:
            continue
        for column in _references(table_name):
            connection.execute(update(column.table).where(column == old).values({column.name: new}))
        target = state.table_of(table_name)
        connection.execute(delete(target).where(target.c.id == old))
    connection.execute(
        update(ProfileSetting)
        .where(ProfileSetting.key == OWNER_KEY)
        .values(value=str(user.staff_id))
    )
    # The access log names the offline owner: its entries continue, in the account's
    # name, on a new chain (the server accepts only the account's own acts from it).
    rechain(connection, (local_owner, user.staff_id))
    # Every edit captured offline is folded into the records themselves: send them whole.
    connection.execute(delete(OUTBOX))
    return queue_unknown(connection)


def forget_server(connection: Connection) -> None:
    """Enrolling with a new server (another ``server_id``): it holds none of our versions.

    Waiting changes are folded into the whole records queued afterwards; the access log
    is sent again from its start (the new server acknowledges what it holds).
    """
    connection.execute(delete(OUTBOX).where(OUTBOX.c.state.in_(WAITING)))
    connection.execute(delete(BASE))
    state.put(connection, ACKED_KEY, None)


def queue_unknown(connection: Connection) -> int:
    """Queue, whole and as new, every record the server never delivered to us."""
    return queue_records(connection, _not_known, base_version=None)


def reupload(connection: Connection) -> int:
    """A server restored from an older copy: queue every local record again, whole, and
    pull everything again from the start.

    Sent against version 0: a field another device wrote on the server is kept there and
    our value recorded in a conflict; fields we wrote last are ours again. Nothing is
    overwritten without a trace, nothing removed.
    """
    connection.execute(delete(OUTBOX).where(OUTBOX.c.state.in_(WAITING)))
    queued = queue_records(connection, _ours_unsent, base_version=0)
    state.put(connection, state.CURSOR, "0")
    return queued


def _ours_unsent(record_type: str) -> object:
    """Accounts, teams and facilities are the server's own: never sent back to it."""
    rows = unsent(record_type)
    return rows.where(false()) if record_type in SERVER_MANAGED else rows


def _not_known(record_type: str) -> object:
    """Records the server has not delivered to us (not the enrolment's own records)."""
    table = state.table_of(record_type)
    known = select(BASE.c.record_id).where(BASE.c.record_type == record_type)
    return select(table).where(table.c.id.not_in(known))


def _references(table_name: str) -> list[Column[uuid.UUID]]:
    """Every column pointing at ``table_name``'s id, and the author columns for staff."""
    columns: list[Column[uuid.UUID]] = []
    for table in Base.metadata.sorted_tables:
        for column in cast(Table, table).columns:
            points_here = any(fk.column.table.name == table_name for fk in column.foreign_keys)
            author = table_name == "staff_member" and column.name in STAFF_COLUMNS
            if points_here or author:
                columns.append(column)
    return columns
