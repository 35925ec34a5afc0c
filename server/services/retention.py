"""Retention on the server: the administration's periods, sent to laptops and applied here.

An administrator sets, per case state, how many days a case is kept and what happens
then (``passerelle-server retention set``). The rules travel to every laptop inside its
policy (:func:`retention_policy`, called by the policy endpoint) so laptops preview and
apply the same periods; ``passerelle-server retention run`` applies them to the server's
own copy. Only closed cases have the day their period runs from (``closed_on``).

The erasure itself is :func:`passerelle_core.erasure.erased_values`, shared with the
laptops: a case anonymised on a laptop and here ends up with identical values, so the
two never conflict. Each record erased here gets a new version and sequence number,
credited to no device (the server), so every laptop holding the case pulls the erased
state; a purge also marks every record of the case deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from passerelle_core.enums import CaseStatus, RetentionAction
from passerelle_core.erasure import ANONYMISED_MARK, erased_values
from server.core.db import read_transaction, write_transaction
from server.core.tables import Record, RetentionRule
from server.services import documents
from server.services.errors import ServiceError
from server.services.scope import BENEFICIARY
from server.services.sequence import SequenceAllocator
from server.services.wire import DELETED_FIELD, canonical

CLOCKED_STATES = frozenset({CaseStatus.CLOSED.value})
MAX_DAYS = 100 * 366


@dataclass(frozen=True)
class DueCase:
    case_id: uuid.UUID
    closed_on: date
    due_on: date
    action: RetentionAction


def list_rules(session: Session) -> list[RetentionRule]:
    with read_transaction(session):
        return list(session.scalars(select(RetentionRule).order_by(RetentionRule.case_state)))


def set_rule(session: Session, state: str, days: int, action: str) -> RetentionRule:
    """Create or replace the rule of one case state."""
    if state not in CLOCKED_STATES:
        raise ServiceError(
            f"no retention period for {state!r} cases: a period runs from the day a case "
            f"was closed, so only {', '.join(sorted(CLOCKED_STATES))} cases have one"
        )
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(f"the period must be between 1 and {MAX_DAYS} days")
    try:
        chosen = RetentionAction(action)
    except ValueError:
        choices = ", ".join(a.value for a in RetentionAction)
        raise ServiceError(f"unknown action {action!r}: choose {choices}") from None
    with write_transaction(session):
        rule = session.get(RetentionRule, state) or RetentionRule(case_state=state)
        rule.days, rule.action, rule.updated_at = days, chosen.value, utcnow()
        session.add(rule)
    return rule


def retention_policy(session: Session) -> dict[str, Any]:
    """The retention fields of a laptop's ``Policy`` (``retention_days``, ``retention_actions``).

    For the endpoint that sends the policy: ``Policy(..., **retention_policy(session))``.
    """
    return retention_fields(
        (rule.case_state, rule.days, rule.action) for rule in list_rules(session)
    )


def retention_fields(rules: Iterable[tuple[str, int, str]]) -> dict[str, Any]:
    """:func:`retention_policy` from (case state, days, action) rows read by the caller."""
    days: dict[str, int] = {}
    actions: dict[str, RetentionAction] = {}
    for case_state, period, action in rules:
        days[case_state], actions[case_state] = period, RetentionAction(action)
    return {"retention_days": days, "retention_actions": actions}


def due(session: Session, today: date) -> list[DueCase]:
    """The cases a run would anonymise or purge on ``today``, the longest overdue first."""
    with read_transaction(session):
        return _due(session, today)


def run(session: Session, today: date, *, dry_run: bool = False) -> list[DueCase]:
    """Anonymise or purge the due cases (all in one transaction); the cases processed."""
    if dry_run:
        return due(session, today)
    with write_transaction(session):
        seqs = SequenceAllocator(session)
        found = _due(session, today)
        now = canonical(utcnow())
        for case in found:
            _erase_case(session, seqs, case, now)
        documents.drop_deleted(session)  # contents of documents deleted on laptops
        # ACCESS LOG: the server keeps copies of the laptops' chains only; an entry for
        # this server-side erasure (action anonymise/purge, record beneficiary
        # case.case_id) belongs here once the access log has a server chain.
        seqs.save()
    return found


def _due(session: Session, today: date) -> list[DueCase]:
    found: dict[uuid.UUID, DueCase] = {}
    for rule in session.scalars(select(RetentionRule)):
        if rule.case_state not in CLOCKED_STATES:
            continue
        action = RetentionAction(rule.action)
        cutoff = today - timedelta(days=rule.days)
        query = select(Record).where(
            Record.record_type == BENEFICIARY,
            Record.data["case_status"].as_string() == rule.case_state,
            Record.data["closed_on"].as_string() <= cutoff.isoformat(),
        )
        for record in session.scalars(query):
            anonymised = record.data.get(ANONYMISED_MARK) is not None
            if anonymised and (action is RetentionAction.ANONYMISE or record.deleted):
                continue
            closed_on = date.fromisoformat(str(record.data["closed_on"]))
            due_on = closed_on + timedelta(days=rule.days)
            found[record.record_id] = DueCase(record.record_id, closed_on, due_on, action)
    return sorted(found.values(), key=lambda case: (case.due_on, str(case.case_id)))


def _erase_case(session: Session, seqs: SequenceAllocator, case: DueCase, now: str) -> None:
    purge = case.action is RetentionAction.PURGE
    records = session.scalars(
        select(Record).where(Record.case_id == case.case_id).order_by(Record.seq)
    ).all()
    for record in records:
        values = erased_values(
            record.record_type,
            record.record_id,
            record.data,
            purge=purge,
            retention_date=case.due_on,
        )
        erased_document = record.record_type == documents.DOCUMENT  # a scan is identity
        if (purge or erased_document) and record.data.get(DELETED_FIELD) is None:
            values[DELETED_FIELD] = now
        if values:
            _write(record, values, seqs)
    documents.erase_contents(
        session, [r.record_id for r in records if r.record_type == documents.DOCUMENT]
    )
    session.flush()


def erase_withheld(session: Session, seqs: SequenceAllocator, case: Record, now: str) -> None:
    """Finish a retention a laptop pushed: erase the case's psychologist-only records.

    The laptop that anonymised or purged the case (an administrator's) never received
    them, so it could not erase them; the server does, the same way.
    """
    purge = case.deleted
    retention_date = date.fromisoformat(str(case.data[ANONYMISED_MARK])[:10])
    withheld = session.scalars(
        select(Record)
        .where(Record.case_id == case.record_id, Record.restricted.is_(True))
        .order_by(Record.seq)
    ).all()
    for record in withheld:
        values = erased_values(
            record.record_type,
            record.record_id,
            record.data,
            purge=purge,
            retention_date=retention_date,
        )
        if purge and record.data.get(DELETED_FIELD) is None:
            values[DELETED_FIELD] = now
        if values:
            _write(record, values, seqs)
    session.flush()


def _write(record: Record, changed: dict[str, Any], seqs: SequenceAllocator) -> None:
    """A new version by the server itself: no device owns the changed fields."""
    version = record.version + 1
    record.version = version
    record.data = {**record.data, **changed}
    record.field_versions = {**record.field_versions, **dict.fromkeys(changed, version)}
    record.field_devices = {**record.field_devices, **dict.fromkeys(changed, None)}
    record.deleted = record.data.get(DELETED_FIELD) is not None
    record.seq = seqs.next()
