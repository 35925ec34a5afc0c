"""Who receives what (docs/sync-protocol.md "Scope") and where a record belongs.

A record's *placement* is its case plus the case's team and assigned staff member
(copied from the beneficiary so pulls filter on plain columns) and whether it is
psychologist-only. Organisation data has no case and is visible to everyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Uuid, and_, bindparam, false, or_, true
from sqlalchemy.orm import Session

from passerelle_core.enums import Confidentiality, StaffRole
from passerelle_core.permissions import TABLE, Permission
from passerelle_core.records import CASE_LINKS
from server.core.tables import Record
from server.services import lookups
from server.services.errors import Rejected
from server.services.wire import CONFLICT_TYPE, uuid_or_none

BENEFICIARY = "beneficiary"
SESSION = "follow_up_session"
# Who receives and writes psychologist-only records: the role table says.
RESTRICTED_READERS = frozenset(role.value for role in TABLE[Permission.HOLD_RESTRICTED_RECORDS])


@dataclass(frozen=True)
class Viewer:
    staff_id: uuid.UUID
    role: str
    team_id: uuid.UUID | None

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN.value

    @property
    def sees_restricted(self) -> bool:
        return self.role in RESTRICTED_READERS

    def sees_case(self, team_id: uuid.UUID | None, assigned_staff_id: uuid.UUID | None) -> bool:
        if self.is_admin:
            return True
        return (team_id is not None and team_id == self.team_id) or (
            assigned_staff_id is not None and assigned_staff_id == self.staff_id
        )

    def sees(self, placement: Placement) -> bool:
        if placement.restricted and not self.sees_restricted:
            return False
        return placement.case_id is None or self.sees_case(
            placement.team_id, placement.assigned_staff_id
        )

    def visible(self) -> ColumnElement[bool]:
        """The SQL condition matching the records this viewer may pull: the same for every
        viewer of one :attr:`shape`, the ids bound as ``viewer_staff`` and ``viewer_team``
        (:attr:`params`), so a statement built with it can be built once per shape."""
        case_ok: ColumnElement[bool] = true()
        if not self.is_admin:
            mine = [Record.assigned_staff_id == bindparam("viewer_staff", type_=Uuid)]
            if self.team_id is not None:
                mine.append(Record.team_id == bindparam("viewer_team", type_=Uuid))
            case_ok = or_(Record.case_id.is_(None), *mine)
        restricted_ok = true() if self.sees_restricted else Record.restricted.is_(false())
        return and_(case_ok, restricted_ok)

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        """What :meth:`visible`'s statement depends on besides the bound ids."""
        return self.is_admin, self.team_id is not None, self.sees_restricted

    @property
    def params(self) -> dict[str, uuid.UUID | None]:
        return {"viewer_staff": self.staff_id, "viewer_team": self.team_id}


@dataclass(frozen=True)
class Placement:
    case_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    assigned_staff_id: uuid.UUID | None = None
    restricted: bool = False

    @classmethod
    def of(cls, record: Record) -> Placement:
        return cls(record.case_id, record.team_id, record.assigned_staff_id, record.restricted)


ORGANISATION = Placement()


def place(
    session: Session, record_type: str, record_id: uuid.UUID, data: Mapping[str, Any]
) -> Placement:
    """Where a record with these (complete) data belongs; Rejected if its parent is unknown."""
    if record_type == BENEFICIARY:
        return Placement(
            record_id,
            uuid_or_none(data.get("team_id")),
            uuid_or_none(data.get("assigned_staff_id")),
        )
    if record_type == CONFLICT_TYPE:
        parent = _parent(session, str(data.get("target_type")), data.get("target_id"))
        return ORGANISATION if parent is None else Placement.of(parent)
    link = CASE_LINKS.get(record_type)
    if link is None:
        return ORGANISATION
    field, parent_type = link
    parent = _parent(session, parent_type, data.get(field))
    if parent is None:
        return ORGANISATION
    restricted = parent.restricted or own_restriction(record_type, data)
    return Placement(parent.case_id, parent.team_id, parent.assigned_staff_id, restricted)


def own_restriction(record_type: str, data: Mapping[str, Any]) -> bool:
    return (
        record_type == SESSION
        and data.get("confidentiality") == Confidentiality.PSYCHOLOGIST_ONLY.value
    )


def _parent(session: Session, parent_type: str, parent_id: Any) -> Record | None:
    if parent_id is None:
        return None
    parent = lookups.find(session, parent_type, uuid.UUID(str(parent_id)))
    if parent is None:
        # Outbox order puts parents first: the parent is probably still on its way.
        raise Rejected(f"{parent_type} {parent_id} is not on the server yet", permanent=False)
    return parent
