"""Retention: closed cases past their period are anonymised or purged, after a preview.

The periods come from the administration's policy, pushed by the server with every
sync (``Policy.retention_days`` and ``retention_actions``, per case state); a profile
that never synced has none and keeps everything. A period runs from the day the case
entered the state: only closed cases have that day (``closed_on``), so only they are
ever due; an open case is still being worked on.

What is erased is defined once for laptop and server in :mod:`passerelle_core.erasure`.
Here it is written through the ORM, so every erasure reaches the outbox and the server
like any edit, and the server's copy is erased even if its own run comes later. The run
is one transaction with an access-log entry per case, under ``secure_delete`` so the
erased text does not linger in freed pages; the search index is compacted after it.

A supervisor sees the preview; only an administrator runs it (``app.security``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.models import SYNCED_MODELS, AccessAction, Beneficiary, OutboxState
from app.models.base import SyncedMixin, utcnow
from app.security.permissions import Permission, require
from app.services import audit, documents
from app.services.context import ServiceContext
from app.store.live import everything
from app.store.overwrite import overwriting
from app.sync.policy import Policy, read_policy
from app.sync.records import from_wire, record_to_wire
from app.sync.scope import case_members
from app.sync.state import HELD, OUTBOX, model_table
from passerelle_core.enums import CaseStatus, RetentionAction
from passerelle_core.erasure import erased_values

CLOCKED_STATES = frozenset({CaseStatus.CLOSED})
"""Case states whose entry day is recorded, so a period can run from it."""
SEARCH_TABLE = "beneficiary_search"


@dataclass(frozen=True)
class RetentionRule:
    state: CaseStatus
    days: int
    action: RetentionAction


@dataclass(frozen=True)
class DueCase:
    """One case the next run will anonymise or purge (the name is for the preview only)."""

    beneficiary_id: uuid.UUID
    name: str
    closed_on: date
    due_on: date
    action: RetentionAction


@dataclass(frozen=True)
class RetentionReport:
    anonymised: int = 0
    purged: int = 0
    records: int = 0  # records of those cases that were erased


def rules(policy: Policy) -> list[RetentionRule]:
    """The policy's periods that can apply (states with a recorded entry day)."""
    found = []
    for name, days in sorted(policy.retention_days.items()):
        state = next((s for s in CLOCKED_STATES if s.value == name), None)
        if state is None:  # an unknown state (a newer server) or one without a clock
            continue
        action = policy.retention_actions.get(name, RetentionAction.ANONYMISE)
        found.append(RetentionRule(state, days, action))
    return found


def current_rules(ctx: ServiceContext) -> list[RetentionRule]:
    with ctx.reading() as session:
        return rules(read_policy(session.connection()))


def preview(ctx: ServiceContext) -> list[DueCase]:
    """The cases a run would anonymise or purge today, the longest overdue first."""
    require(ctx, Permission.PREVIEW_RETENTION)
    with ctx.reading() as session:
        return _due(session, rules(read_policy(session.connection())), ctx.today())


def run(ctx: ServiceContext, confirmed: Collection[uuid.UUID] | None = None) -> RetentionReport:
    """Anonymise or purge the due cases; with ``confirmed``, only those of them.

    ``confirmed`` is the preview the administrator accepted: a case that became due
    after the preview was shown waits for the next run.
    """
    require(ctx, Permission.RUN_RETENTION)
    done = {RetentionAction.ANONYMISE: 0, RetentionAction.PURGE: 0}
    records = 0
    with ctx.transaction() as session:
        due = _due(session, rules(read_policy(session.connection())), ctx.today())
        if confirmed is not None:
            due = [case for case in due if case.beneficiary_id in set(confirmed)]
        if not due:
            return RetentionReport()
        with overwriting(session.connection()):
            for case in due:
                purge = case.action is RetentionAction.PURGE
                records += _erase_case(session, case, purge=purge)
                action = AccessAction.PURGE if purge else AccessAction.ANONYMISE
                audit.record(session, action, "beneficiary", case.beneficiary_id)
                done[case.action] += 1
            session.flush()
            # FTS5 keeps replaced terms in old segments until they are merged.
            session.connection().exec_driver_sql(
                f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('optimize')"
            )
    return RetentionReport(done[RetentionAction.ANONYMISE], done[RetentionAction.PURGE], records)


def _due(session: Session, found: list[RetentionRule], today: date) -> list[DueCase]:
    due: dict[uuid.UUID, DueCase] = {}
    for rule in found:
        cutoff = today - timedelta(days=rule.days)
        query = select(Beneficiary).where(
            Beneficiary.case_status == rule.state,
            Beneficiary.closed_on.is_not(None),
            Beneficiary.closed_on <= cutoff,
        )
        if rule.action is RetentionAction.PURGE:
            query = query.where(
                or_(Beneficiary.anonymised_on.is_(None), Beneficiary.deleted_at.is_(None))
            )
        else:
            query = query.where(Beneficiary.anonymised_on.is_(None))
        for person in session.scalars(everything(query)):  # deleted and merged too
            assert person.closed_on is not None  # filtered above
            due[person.id] = DueCase(
                person.id,
                person.display_name,
                person.closed_on,
                person.closed_on + timedelta(days=rule.days),
                rule.action,
            )
    return sorted(due.values(), key=lambda case: (case.due_on, case.name))


def _erase_case(session: Session, case: DueCase, *, purge: bool) -> int:
    """Erase every record of the case (then delete them all, for a purge)."""
    rows = list(_case_rows(session, case.beneficiary_id))
    for record_type, row in rows:
        values = erased_values(
            record_type, row.id, record_to_wire(row), purge=purge, retention_date=case.due_on
        )
        for name, value in from_wire(record_type, values).items():
            setattr(row, name, value)
    # Flushed apart from the deletion: the server applies a deletion on its own, so the
    # erasure must reach it as an edit first (see app.sync.capture._keeps_apart).
    session.flush()
    now = utcnow()
    for record_type, row in rows:
        # A scanned document is identity itself: gone with the anonymised case too.
        if (purge or record_type == documents.RECORD_TYPE) and row.deleted_at is None:
            row.deleted_at = now
    session.flush()
    documents.erase_contents(
        session, [row.id for record_type, row in rows if record_type == documents.RECORD_TYPE]
    )
    connection = session.connection()
    # Copies the sync keeps aside: refused changes never sent, records held for a parent.
    connection.execute(
        delete(OUTBOX).where(
            OUTBOX.c.case_id == case.beneficiary_id, OUTBOX.c.state == OutboxState.QUARANTINED
        )
    )
    connection.execute(delete(HELD).where(HELD.c.case_id == case.beneficiary_id))
    return len(rows)


def _case_rows(session: Session, case_id: uuid.UUID) -> Iterator[tuple[str, Any]]:
    """Every local record of the case, deleted ones included, parents first."""
    for model in SYNCED_MODELS:
        name = model_table(model).name
        members = case_members(name, case_id)
        if members is None:
            continue
        typed: type[SyncedMixin] = model
        for row in session.scalars(everything(select(typed).where(typed.id.in_(members)))):
            yield name, row
