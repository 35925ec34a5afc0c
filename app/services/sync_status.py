"""Read-only sync facts for the desktop client: the status bar's figures, conflicts to show.

Everything here reads; nothing syncs. The status bar polls :func:`read_snapshot` (a few
indexed counts, quick enough for the GUI thread); the conflicts page shows
:func:`conflict_lines`, open conflicts with their values in Python form, the names of
the records they point to and the beneficiary of the case, so a person can choose
without knowing record ids. Labels of record kinds and fields are translated at call
time, like enum labels.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import N_, _, ngettext
from app.models import Beneficiary
from app.services import conflicts
from app.services.conflicts import ConflictView
from app.services.context import ServiceContext
from app.store import writelock
from app.store.profile import Profile
from app.sync import outbox, state
from app.sync.errors import ServerUnavailable
from app.sync.held import HeldWhy
from app.sync.outbox import QuarantinedChange
from app.sync.records import SYNCED_TYPES, WireError, from_wire, wire_columns

if TYPE_CHECKING:
    from app.sync.engine import SyncReport


class Connectivity(StrEnum):
    """What the last sync attempt of this session says about the server."""

    LOCAL_ONLY = "local_only"  # not enrolled: there is no server to reach
    UNKNOWN = "unknown"  # enrolled, no attempt yet in this session
    ONLINE = "online"  # the last attempt completed
    OFFLINE = "offline"  # the server could not be reached: changes wait, nothing is wrong
    ERROR = "error"  # the server answered with a refusal the person must act on
    PARTIAL = "partial"  # the server answered, but some steps did not go through


@dataclass(frozen=True)
class SyncSnapshot:
    """What the profile says about sync right now."""

    enrolled: bool
    server_url: str | None = None
    last_sync_at: datetime | None = None
    pending: int = 0  # local changes waiting to be sent
    conflicts: int = 0  # open conflicts waiting for a person's choice
    quarantined: int = 0  # changes the server refused for good
    must_erase: bool = False  # the server ordered an erase that did not complete


@dataclass(frozen=True)
class SyncStatus:
    """The snapshot plus what this session learnt: connectivity, a sync running, an error."""

    snapshot: SyncSnapshot
    connectivity: Connectivity
    busy: bool = False
    message: str | None = None  # the last error, for OFFLINE and ERROR


def read_snapshot(profile: Profile) -> SyncSnapshot:
    """The figures of the status bar, read in one go."""
    if not outbox.is_enrolled(profile):
        return SyncSnapshot(enrolled=False, pending=outbox.pending_count(profile))
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        server_url = state.get(connection, state.SERVER_URL)
    return SyncSnapshot(
        enrolled=True,
        server_url=server_url,
        last_sync_at=outbox.last_sync_at(profile),
        pending=outbox.pending_count(profile),
        conflicts=outbox.open_conflict_count(profile),
        quarantined=len(outbox.quarantined(profile)),
        must_erase=outbox.must_erase(profile),
    )


def partial_reasons(report: SyncReport) -> list[str]:
    """What did not go through in a sync that reached the server, one phrase per step."""
    reasons = []
    if report.rejected:
        rejected = report.rejected
        reasons.append(
            ngettext("{n} change not accepted", "{n} changes not accepted", rejected).format(
                n=rejected
            )
        )
    if report.removals_held:
        reasons.append(
            ngettext(
                "{n} case kept until a supervisor confirms its removal",
                "{n} cases kept until a supervisor confirms their removal",
                report.removals_held,
            ).format(n=report.removals_held)
        )
    if report.access_log_refused:
        reasons.append(_("access log refused"))
    if report.policy_failed:
        reasons.append(_("security policy not refreshed"))
    if report.documents_interrupted:
        reasons.append(_("documents not all transferred"))
    if report.cancelled:
        reasons.append(_("stopped before the end"))
    return reasons


HELD_WHY: dict[HeldWhy, str] = {
    HeldWhy.WAITING_FOR_PARENT: N_("waiting for the record it belongs to"),
    HeldWhy.NEWER_VERSION: N_("needs a newer version of Passerelle"),
    HeldWhy.CLASH: N_("clashes with a record of this laptop"),
}


def held_phrases(report: SyncReport) -> list[str]:
    """Each record a sync left held, named with why (the first ones; the rest counted)."""
    phrases = [
        _("{kind} {id} held: {why}").format(
            kind=record_kind_label(line.record_type), id=line.record_id, why=_(HELD_WHY[line.why])
        )
        for line in report.held_records
    ]
    more = report.held - len(report.held_records)
    if more > 0:
        phrases.append(
            ngettext("{n} more record held", "{n} more records held", more).format(n=more)
        )
    return phrases


def is_enrolled(profile: Profile) -> bool:
    return outbox.is_enrolled(profile)


def is_offline(error: BaseException) -> bool:
    """No answer or a transient server failure: offline, not an error to show in a dialog."""
    return isinstance(error, ServerUnavailable)


def refused_changes(profile: Profile) -> list[QuarantinedChange]:
    """Changes the server refused for good, oldest first (kept, never resent)."""
    return outbox.quarantined(profile)


def update_message() -> str:
    """The server stated a newer schema than this laptop knows (SyncReport.update_available)."""
    return _(
        "The server knows a newer version of the records: please update Passerelle. "
        "This laptop keeps working; what it cannot show yet is kept for after the update."
    )


def resend_refused(profile: Profile) -> int:
    """Queue the refused changes again (the server was updated): sent by the next sync."""
    return outbox.resend_quarantined(profile)


# -- conflicts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictSide:
    """One of the two values: in Python form (enum member, date...), who wrote it, when."""

    value: Any
    author: str | None
    at: datetime | None
    reference: str | None = None  # the name of the record a reference value points to


@dataclass(frozen=True)
class ConflictLine:
    """An open conflict ready to show: its case, its field, both sides."""

    id: uuid.UUID
    target_type: str
    target_id: uuid.UUID
    field: str
    case_id: uuid.UUID | None
    beneficiary_name: str | None
    kept: ConflictSide
    other: ConflictSide

    @property
    def is_deletion(self) -> bool:
        """An edit met a deletion: the record is alive; the other side would delete it."""
        return self.field == "deleted_at"


def conflict_lines(ctx: ServiceContext) -> list[ConflictLine]:
    """Open conflicts, oldest first, with the names a person needs to choose."""
    views = conflicts.open_conflicts(ctx)
    if not views:
        return []
    with ctx.reading() as session:
        case_ids = {v.case_id for v in views if v.case_id is not None}
        names = _beneficiary_names(session, case_ids)
        return [
            ConflictLine(
                id=view.id,
                target_type=view.target_type,
                target_id=view.target_id,
                field=view.field,
                case_id=view.case_id,
                beneficiary_name=names.get(view.case_id) if view.case_id else None,
                kept=_side(session, view, view.kept_value, view.kept_by, view.kept_at),
                other=_side(session, view, view.other_value, view.other_by, view.other_at),
            )
            for view in views
        ]


def _beneficiary_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    people = session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))
    return {person.id: person.display_name for person in people}


def _side(
    session: Session, view: ConflictView, raw: Any, author: str | None, at: datetime | None
) -> ConflictSide:
    try:
        value = from_wire(view.target_type, {view.field: raw})[view.field]
    except WireError:
        value = raw  # a value this version cannot type: shown as it came
    reference = None
    if isinstance(value, uuid.UUID):
        reference = _reference_name(session, view.target_type, view.field, value)
    return ConflictSide(value=value, author=author, at=at, reference=reference)


NAME_ATTRIBUTES = ("display_name", "full_name", "name", "title", "wording", "description")


def _reference_name(session: Session, record_type: str, field: str, value: uuid.UUID) -> str | None:
    """The name of the record a reference field points to, if this laptop holds it."""
    column = wire_columns(record_type).get(field)
    if column is None:
        return None
    for foreign_key in column.foreign_keys:
        model = SYNCED_TYPES.get(foreign_key.column.table.name)
        record = None if model is None else session.get(model, value)
        if record is None:
            continue
        for attribute in NAME_ATTRIBUTES:
            name = getattr(record, attribute, None)
            if isinstance(name, str) and name:
                return name
    return None


# -- labels --------------------------------------------------------------------------------

RECORD_KINDS: dict[str, str] = {
    "beneficiary": N_("Identity"),
    "consent_record": N_("Consent"),
    "needs_assessment": N_("Needs assessment"),
    "action_plan": N_("Action plan"),
    "goal": N_("Goal"),
    "action": N_("Action"),
    "follow_up_session": N_("Follow-up session"),
    "session_note": N_("Session note"),
    "referral": N_("Referral"),
    "post_release_outcome": N_("Post-release outcome"),
    "meeting_decision": N_("Meeting decision"),
    "coordination_meeting": N_("Coordination meeting"),
    "meeting_participant": N_("Meeting participant"),
    "facility": N_("Facility"),
    "team": N_("Team"),
    "staff_member": N_("Staff member"),
    "partner": N_("Partner"),
    "partner_contact": N_("Partner contact"),
    "partner_service": N_("Partner service"),
    "sync_conflict": N_("Conflict"),
    "appointment": N_("Appointment"),
    "quick_note": N_("Quick note"),
    "duplicate_decision": N_("Duplicate decision"),
}

FIELDS: dict[str, str] = {
    "last_name": N_("Last name"),
    "first_name": N_("First name"),
    "last_name_ar": N_("Last name (Arabic)"),
    "first_name_ar": N_("First name (Arabic)"),
    "cin": N_("CIN"),
    "registration_number": N_("Registration number"),
    "birth_date": N_("Birth date"),
    "sex": N_("Sex"),
    "facility_id": N_("Facility"),
    "legal_status": N_("Legal status"),
    "expected_release_date": N_("Expected release"),
    "actual_release_date": N_("Actual release"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "contact_person": N_("Contact person"),
    "contact_phone": N_("Contact person's phone"),
    "assigned_staff_id": N_("Assigned to"),
    "team_id": N_("Team"),
    "intake_date": N_("Intake date"),
    "case_status": N_("Case status"),
    "closed_on": N_("Closed on"),
    "deleted_at": N_("Deletion"),
    "purpose": N_("Purpose"),
    "partner_id": N_("Partner"),
    "given_on": N_("Given on"),
    "method": N_("Method"),
    "withdrawn_on": N_("Withdrawn on"),
    "notes": N_("Notes"),
    "status": N_("Status"),
    "title": N_("Title"),
    "review_date": N_("Review date"),
    "outcome": N_("Outcome"),
    "outcome_notes": N_("Outcome notes"),
    "domain_id": N_("Need domain"),
    "wording": N_("Wording"),
    "target_date": N_("Target date"),
    "description": N_("Description"),
    "responsible_kind": N_("Responsible"),
    "responsible_staff_id": N_("Responsible staff member"),
    "due_date": N_("Due date"),
    "completed_on": N_("Completed on"),
    "held_on": N_("Date"),
    "kind": N_("Kind"),
    "duration_minutes": N_("Duration (minutes)"),
    "staff_id": N_("Staff member"),
    "confidentiality": N_("Confidentiality"),
    "topic": N_("Topic"),
    "body": N_("Note"),
    "reference": N_("Reference"),
    "service_id": N_("Service"),
    "sent_on": N_("Sent on"),
    "reason": N_("Reason"),
    "text": N_("Decision"),
    "recorded_on": N_("Recorded on"),
    "in_work_or_training": N_("In work or training"),
    "housing_secured": N_("Housing secured"),
    "reincarcerated": N_("Re-incarcerated"),
    "name": N_("Name"),
    "full_name": N_("Full name"),
    "email": N_("E-mail"),
    "city": N_("City"),
    "agenda": N_("Agenda"),
    "minutes": N_("Minutes"),
    "assessed_on": N_("Assessed on"),
    "stage": N_("Stage"),
    "answers": N_("Answers"),
    "item_notes": N_("Notes on items"),
    "priority_domains": N_("Priority domains"),
    "priority_overrides": N_("Priority overrides"),
    "starts_at": N_("Date and time"),
    "place": N_("Place"),
    "noted_on": N_("Noted on"),
}


def record_kind_label(record_type: str) -> str:
    """What kind of record this is, in the interface language (the type name if unknown)."""
    message = RECORD_KINDS.get(record_type)
    return _(message) if message else record_type.replace("_", " ")


def field_label(field: str) -> str:
    """A field's name in the interface language (the column name if unknown)."""
    message = FIELDS.get(field)
    return _(message) if message else field.replace("_", " ")
