"""Right of access (law 09-08): everything this laptop holds on one person, as data.

Every record of the case is included, in the wire form sync uses (one JSON object per
record, every column): the beneficiary, consents, assessments, plans with their goals
and actions, sessions with every revision of their notes, referrals, post-release
outcomes, coordination decisions about the person, and sync conflicts still holding
two values of a field. Records deleted in the application are included too: they are
still held. The partners the data went to and the meetings that decided about the
person are named, since the person may ask who received their data.

Psychologist-only sessions and their notes: docs/domain.md keeps them from every other role
and from print, while the right of access covers them. Both hold if only a
psychologist's export contains them (the psychologist hands them over); an export by
anyone else leaves them out and says so in words that do not reveal whether any exist.

:mod:`app.reports.subject_access` turns this into the PDF for reading and writes both
files in one action.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import SYNCED_MODELS, Beneficiary, CoordinationMeeting, Partner
from app.models.base import SyncedMixin, utcnow
from app.security.permissions import Permission, may, require
from app.services.context import ServiceContext
from app.services.errors import NotFound
from app.store.live import ALL_RECORDS, everything
from app.sync.records import record_to_wire
from app.sync.scope import case_members
from app.sync.state import model_table
from passerelle_core.enums import Confidentiality, StaffRole

FORMAT = "passerelle-subject-access"
FORMAT_VERSION = 1
SESSION, NOTE, CONFLICT = "follow_up_session", "session_note", "sync_conflict"


@dataclass(frozen=True)
class SubjectAccess:
    """Everything held on one person; ``records`` maps a record type to its records."""

    beneficiary_id: uuid.UUID
    exported_at: datetime
    exported_by: uuid.UUID
    exported_by_role: StaffRole
    restricted_included: bool
    records: dict[str, list[dict[str, Any]]]
    partners: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def person(self) -> dict[str, Any]:
        return self.records["beneficiary"][0]

    def of_type(self, record_type: str) -> list[dict[str, Any]]:
        return self.records.get(record_type, [])

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "beneficiary_id": str(self.beneficiary_id),
            "exported_at": self.exported_at.isoformat(),
            "exported_by": str(self.exported_by),
            "exported_by_role": self.exported_by_role.value,
            "psychologist_only_notes_included": self.restricted_included,
            "records": self.records,
            "partners": self.partners,
            "meetings": self.meetings,
        }

    def to_bytes(self) -> bytes:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2).encode("utf-8")


def collect(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> SubjectAccess:
    """Everything held on the person (psychologist-only notes only for a psychologist)."""
    require(ctx, Permission.EXPORT_SUBJECT_ACCESS)
    restricted = may(ctx, Permission.READ_RESTRICTED_NOTES)
    with ctx.reading() as session:
        if session.get(Beneficiary, beneficiary_id, execution_options={ALL_RECORDS: True}) is None:
            raise NotFound(_("Beneficiary"))
        records = _records(session, beneficiary_id)
        if not restricted:
            _drop_restricted(records)
        return SubjectAccess(
            beneficiary_id=beneficiary_id,
            exported_at=utcnow(),
            exported_by=ctx.actor.staff_id,
            exported_by_role=ctx.actor.role,
            restricted_included=restricted,
            records=records,
            partners=_partners(session, records),
            meetings=_meetings(session, records),
        )


def _records(session: Session, case_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    records: dict[str, list[dict[str, Any]]] = {}
    for model in SYNCED_MODELS:
        name = model_table(model).name
        members = case_members(name, case_id)
        if members is None:
            continue
        typed: type[SyncedMixin] = model
        query = select(typed).where(typed.id.in_(members)).order_by(typed.created_at, typed.id)
        records[name] = [record_to_wire(row) for row in session.scalars(everything(query))]
    return records


def _drop_restricted(records: dict[str, list[dict[str, Any]]]) -> None:
    hidden = {
        s["id"]
        for s in records.get(SESSION, [])
        if s["confidentiality"] == Confidentiality.PSYCHOLOGIST_ONLY.value
    }
    records[SESSION] = [s for s in records.get(SESSION, []) if s["id"] not in hidden]
    notes = records.get(NOTE, [])
    hidden |= {n["id"] for n in notes if n["session_id"] in hidden}
    records[NOTE] = [n for n in notes if n["id"] not in hidden]
    records[CONFLICT] = [c for c in records.get(CONFLICT, []) if c["target_id"] not in hidden]


def _linked(records: dict[str, list[dict[str, Any]]], links: Iterable[tuple[str, str]]) -> set[str]:
    return {
        record[column]
        for record_type, column in links
        for record in records.get(record_type, [])
        if record.get(column)
    }


def _partners(session: Session, records: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The partners the person's data went to, or may go to with their consent."""
    links = (("referral", "partner_id"), ("consent_record", "partner_id"), ("action", "partner_id"))
    ids = [uuid.UUID(value) for value in _linked(records, links)]
    query = select(Partner).where(Partner.id.in_(ids)).order_by(Partner.name)
    return [
        {"id": str(p.id), "name": p.name, "name_ar": p.name_ar, "kind": p.kind.value}
        for p in session.scalars(everything(query))
    ]


def _meetings(session: Session, records: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The meetings that decided about the person: when and what (not the minutes)."""
    ids = [uuid.UUID(value) for value in _linked(records, [("meeting_decision", "meeting_id")])]
    query = select(CoordinationMeeting).where(CoordinationMeeting.id.in_(ids))
    return [
        {"id": str(m.id), "held_on": m.held_on.isoformat(), "title": m.title}
        for m in session.scalars(everything(query.order_by(CoordinationMeeting.held_on)))
    ]
