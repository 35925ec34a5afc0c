"""What retention erases, record type by record type, in the records' wire form.

One definition for the laptop (:mod:`app.services.retention`, on ORM rows) and the
server (:mod:`server.services.retention`, on its stored JSON), so that both erase the
same fields to the same values. The values are deterministic (a pseudonym comes from
the record's id, the mark from the retention date): a case anonymised on a laptop and
again on the server converges without a single sync conflict.

**Anonymise** erases what identifies the person or describes them in free text:
names in both scripts, CIN, registration number, phones, address, contact person,
every note, topic, wording, reason and outcome text, the referral reference (the
partner can link it to the person), the values kept by sync conflicts; the birth date
keeps its year (1 January). Kept for statistics: sex, facility, legal and case status,
dates of intake, release and closing, scores, priority domains, statuses, counts and
post-release facts. The case is marked with ``anonymised_on``.

**Purge** erases all of the above and the statistics too (answers, scores, domains,
every optional value) and deletes every record of the case. What stays is a tombstone
holding only what the schema requires (ids, links, required dates and codes), so that
the deletion reaches every laptop through sync.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from passerelle_core.records import wire_fields

ANONYMISED_MARK = "anonymised_on"
BLANK = ""
KEPT_ON_PURGE = frozenset(
    {"id", "created_at", "updated_at", "updated_by_id", "deleted_at", "row_version"}
)

Rule = Callable[[Mapping[str, Any], str], Any]
"""The erased value of a field from the record's current data and its id."""


def pseudonym(prefix: str, record_id: str, length: int) -> str:
    return f"{prefix}-{uuid.UUID(record_id).hex[:length].upper()}"


def _year_only(data: Mapping[str, Any], _record_id: str) -> Any:
    born = data.get("birth_date")
    return None if born is None else f"{str(born)[:4]}-01-01"


def _overrides_without_reasons(data: Mapping[str, Any], _record_id: str) -> Any:
    overrides = data.get("priority_overrides") or {}
    return {
        domain: {"priority": override.get("priority"), "reason": BLANK}
        for domain, override in overrides.items()
        if isinstance(override, Mapping)
    }


def _const(value: Any) -> Rule:
    return lambda _data, _record_id: value


NONE, EMPTY, NO_ITEMS = _const(None), _const(BLANK), _const({})

ANONYMISE: Mapping[str, Mapping[str, Rule]] = {
    "beneficiary": {
        "last_name": lambda _data, record_id: pseudonym("ANON", record_id, 8),
        "first_name": EMPTY,
        "last_name_ar": NONE,
        "first_name_ar": NONE,
        "cin": NONE,
        "registration_number": NONE,
        "birth_date": _year_only,
        "phone": NONE,
        "address": NONE,
        "contact_person": NONE,
        "contact_phone": NONE,
    },
    "consent_record": {"notes": NONE},
    "needs_assessment": {
        "item_notes": NO_ITEMS,
        "notes": NONE,
        "priority_overrides": _overrides_without_reasons,
    },
    "action_plan": {"title": NONE, "outcome_notes": NONE},
    "goal": {"wording": EMPTY},
    "action": {"description": EMPTY, "outcome": NONE},
    "follow_up_session": {"topic": NONE},
    "session_note": {"body": EMPTY},
    "referral": {
        "reference": lambda _data, record_id: pseudonym("ANON", record_id, 16),
        "reason": NONE,
        "outcome": NONE,
    },
    "post_release_outcome": {"notes": NONE},
    "meeting_decision": {"text": EMPTY},
    "sync_conflict": {"kept_value": NONE, "other_value": NONE},
    "appointment": {"purpose": NONE},
    # A document's content is erased with the case (app.services.documents, the server's
    # retention); its description keeps no note.
    "case_document": {"note": NONE},
    "case_transfer": {"reason": EMPTY},
    "quick_note": {"body": EMPTY},
}
"""Record type -> field -> erased value. Types absent here hold nothing personal."""


def erased_values(
    record_type: str,
    record_id: uuid.UUID | str,
    data: Mapping[str, Any],
    *,
    purge: bool,
    retention_date: date,
) -> dict[str, Any]:
    """The wire values to write over ``data`` (a record of the case) to erase it.

    Only fields whose value changes are returned; deletion (``deleted_at``) is the
    caller's, who knows the time. ``retention_date`` marks the case (``anonymised_on``).
    """
    rid = str(record_id)
    wanted: dict[str, Any] = {}
    if purge:
        wanted.update(_purged(record_type, data))
    for name, rule in ANONYMISE.get(record_type, {}).items():
        if name not in wanted:  # a purge empties what it can; the rules fill in the rest
            wanted[name] = rule(data, rid)
    if record_type == "beneficiary":
        wanted[ANONYMISED_MARK] = retention_date.isoformat()
    return {name: value for name, value in wanted.items() if data.get(name) != value}


def _purged(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Every optional value emptied, JSON collections emptied; links and keys kept."""
    wanted: dict[str, Any] = {}
    for name, field in wire_fields(record_type).items():
        if name in KEPT_ON_PURGE or field.foreign_key or field.kind == "uuid":
            continue
        if field.kind == "json":
            current = data.get(name)
            wanted[name] = [] if isinstance(current, list) else None if field.nullable else {}
        elif field.nullable:
            wanted[name] = None
    return wanted
