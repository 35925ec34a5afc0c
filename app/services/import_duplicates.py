"""Rows of an import that may be a person already known: flagged, never merged.

A small stand-in until full duplicate matching (issue 16) replaces it: a row is a
*possible duplicate* when it shares a registration number, or a folded name and birth
date, with a live beneficiary of the profile or an earlier row of the same file. (A
shared CIN is not a duplicate: that row updates the beneficiary holding the CIN.)
Existing beneficiaries are fetched in a few chunked queries, never one per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Beneficiary
from app.store.textfold import fold

_CHUNK = 500


@dataclass(frozen=True)
class Candidate:
    """A valid row about to be written; ``target`` is the beneficiary it updates, if any."""

    line: int
    values: dict[str, Any]
    target: uuid.UUID | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("Line {line}: {message}").format(line=self.line, message=self.reason)


def name_keys(values: dict[str, Any]) -> list[tuple[str, date]]:
    """(folded full name, birth date) in each script the row gives, when both are known."""
    birth = values.get("birth_date")
    if not isinstance(birth, date):
        return []
    keys = []
    for last, first in (("last_name", "first_name"), ("last_name_ar", "first_name_ar")):
        name = " ".join(fold(f"{values.get(last) or ''} {values.get(first) or ''}").split())
        if name:
            keys.append((name, birth))
    return keys


def find(session: Session, candidates: Sequence[Candidate]) -> list[PossibleDuplicate]:
    """One entry per flagged row, with the first reason found."""
    registrations = _existing_registrations(
        session, {str(c.values["registration_number"]) for c in candidates
                  if c.values.get("registration_number")}
    )  # fmt: skip
    keys = [name_keys(candidate.values) for candidate in candidates]
    names = _existing_names(session, {key[1] for row_keys in keys for key in row_keys})
    seen_registration: dict[str, int] = {}
    seen_name: dict[tuple[str, date], int] = {}
    found: list[PossibleDuplicate] = []
    for candidate, row_keys in zip(candidates, keys, strict=True):
        reason = _reason(candidate, row_keys, registrations, names, seen_registration, seen_name)
        if reason is not None:
            found.append(PossibleDuplicate(candidate.line, reason))
    return found


def _reason(
    candidate: Candidate,
    row_keys: list[tuple[str, date]],
    registrations: dict[str, set[uuid.UUID]],
    names: dict[tuple[str, date], set[uuid.UUID]],
    seen_registration: dict[str, int],
    seen_name: dict[tuple[str, date], int],
) -> str | None:
    own = {candidate.target}
    reasons: list[str] = []
    registration = candidate.values.get("registration_number")
    if registration:
        key = str(registration)
        if registrations.get(key, set()) - own:
            reasons.append(_("same registration number as a beneficiary already in the profile"))
        elif key in seen_registration:
            reasons.append(
                _("same registration number as line {line}").format(line=seen_registration[key])
            )
        seen_registration.setdefault(key, candidate.line)
    for name_key in row_keys:
        if names.get(name_key, set()) - own:
            reasons.append(_("same name and birth date as a beneficiary already in the profile"))
        elif name_key in seen_name:
            reasons.append(
                _("same name and birth date as line {line}").format(line=seen_name[name_key])
            )
        seen_name.setdefault(name_key, candidate.line)
    return reasons[0] if reasons else None


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing_registrations(session: Session, numbers: set[str]) -> dict[str, set[uuid.UUID]]:
    found: dict[str, set[uuid.UUID]] = {}
    for chunk in _chunks(numbers):
        query = select(Beneficiary.registration_number, Beneficiary.id).where(
            Beneficiary.registration_number.in_(chunk), Beneficiary.deleted_at.is_(None)
        )
        for number, beneficiary_id in session.execute(query):
            found.setdefault(str(number), set()).add(beneficiary_id)
    return found


def _existing_names(session: Session, births: set[date]) -> dict[tuple[str, date], set[uuid.UUID]]:
    found: dict[tuple[str, date], set[uuid.UUID]] = {}
    columns = (
        Beneficiary.id, Beneficiary.birth_date, Beneficiary.last_name, Beneficiary.first_name,
        Beneficiary.last_name_ar, Beneficiary.first_name_ar,
    )  # fmt: skip
    for chunk in _chunks(births):
        query = select(*columns).where(
            Beneficiary.birth_date.in_(chunk), Beneficiary.deleted_at.is_(None)
        )
        for row in session.execute(query):
            values = row._asdict()
            for key in name_keys(values):
                found.setdefault(key, set()).add(row.id)
    return found
