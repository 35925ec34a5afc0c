"""Rows of an import that are likely a person already known, and what to do with them.

Each valid row is matched (:mod:`app.duplicates`, the same scoring as at registration)
against the live caseload and against the earlier rows of the file. A likely duplicate is
flagged in the report; the import then writes it anyway (``flag``, the default), leaves
it out (``skip``), or *links* it (``link``): the row completes the file it matches (the
best one: the existing file, or the one an earlier row creates) by filling only the
fields that file leaves empty, and creates nothing. Nothing is ever overwritten nor
merged: that stays a person's act on the duplicates page. A row whose CIN is already
known updates that file in any case; it is only flagged.

Messages name lines and scores, never the people (the report may be shared).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.duplicates import default_threshold, exclusions
from app.duplicates.blocking import Key, keys
from app.duplicates.index import Index
from app.duplicates.matching import caseload_index
from app.duplicates.scoring import Identity, Score, reasons_text
from app.i18n import N_, _

IDENTITY_FIELDS = (
    "last_name", "first_name", "last_name_ar", "first_name_ar", "birth_date", "cin",
    "registration_number", "sex",
)  # fmt: skip


class DuplicateAction(StrEnum):
    FLAG = "flag"
    SKIP = "skip"
    LINK = "link"


ACTION_LABELS = {
    DuplicateAction.FLAG: N_("Import them as new files"),
    DuplicateAction.SKIP: N_("Skip them"),
    DuplicateAction.LINK: N_("Link them: complete the existing file"),
}


@dataclass(frozen=True)
class Candidate:
    """A valid row about to be written; ``target`` is the beneficiary it updates, if any."""

    line: int
    values: dict[str, Any]
    target: uuid.UUID | None = None
    parts: tuple[Any, ...] | None = None
    """Its identity's normalised fields if known already (:func:`identity_parts`)."""
    keys: tuple[Key, ...] | None = None
    """Its identity's blocking keys if known already (:func:`identity_keys`)."""


@dataclass(frozen=True)
class PossibleDuplicate:
    """A row likely to be a file of the caseload (``existing_id``) or an earlier row."""

    line: int
    reason: str
    score: int = 0
    existing_id: uuid.UUID | None = None
    other_line: int | None = None
    updates_by_cin: bool = False

    def __str__(self) -> str:
        return _("Line {line}: {message}").format(line=self.line, message=self.reason)


def identity(candidate: Candidate, id: uuid.UUID) -> Identity:  # noqa: A002
    if candidate.parts is not None:
        return Identity(id, *candidate.parts)
    values = candidate.values
    return Identity.of(id, **{name: values.get(name) for name in IDENTITY_FIELDS})


def identity_parts(values: dict[str, Any]) -> tuple[Any, ...]:
    """The normalised fields of the identity of a row with these values, its id aside:
    worked out by the process that parses a large file (:mod:`app.services.import_worker`)."""
    made = Identity.of(_NO_ID, **{name: values.get(name) for name in IDENTITY_FIELDS})
    return tuple(getattr(made, name) for name in _PARTS)


def identity_keys(parts: tuple[Any, ...]) -> tuple[Key, ...]:
    """The blocking keys of an identity of these normalised fields (whatever its id):
    worked out beside them by the process that parses a large file, not by the main
    process (which looks each row up in two indexes and adds it to one)."""
    return tuple(keys(Identity(_NO_ID, *parts)))


_NO_ID = uuid.UUID(int=0)
_PARTS = [name for name in Identity.__dataclass_fields__ if name != "id"]


def find(
    session: Session, candidates: Sequence[Candidate], *, threshold: int | None = None
) -> list[PossibleDuplicate]:
    """One entry per likely duplicate row, with its best match, in the file's order."""
    if not candidates:
        return []
    return Finder(session, threshold=threshold).add(candidates)


class Finder:
    """Likely duplicates of rows given in the file's order, a batch at a time.

    The caseload is read once, when the finder is made: before the import writes
    anything, so that new rows are compared with the files the profile held, and with
    the earlier rows of the file.
    """

    def __init__(self, session: Session, *, threshold: int | None = None) -> None:
        self.session = session
        self.threshold = default_threshold(session) if threshold is None else threshold
        self.caseload = caseload_index(session)
        self.earlier = Index()
        self.lines: dict[uuid.UUID, int] = {}

    def add(self, candidates: Sequence[Candidate]) -> list[PossibleDuplicate]:
        """The likely duplicates among ``candidates`` (the rows after those already added)."""
        session, threshold, caseload = self.session, self.threshold, self.caseload
        earlier, lines = self.earlier, self.lines
        targets = {candidate.target for candidate in candidates if candidate.target}
        dismissed = exclusions.dismissed_pairs(session, targets) if targets else set()
        found: list[PossibleDuplicate] = []
        for candidate in candidates:
            row_id = candidate.target or _line_id(candidate.line)
            own = identity(candidate, row_id)
            own_keys = keys(own) if candidate.keys is None else candidate.keys
            decided = {other for pair in dismissed if row_id in pair for other in pair}
            existing = caseload.matches(own, threshold, {row_id, *decided}, own_keys)
            in_file = earlier.matches(own, threshold, (), own_keys)
            earlier.add(own, own_keys)
            lines[row_id] = candidate.line
            if existing:
                other, result = existing[0]
                message = _(
                    "likely the same person as a beneficiary already in the profile ({score})"
                ).format(score=_described(result))
                found.append(
                    PossibleDuplicate(
                        candidate.line, message, result.value, existing_id=other.id,
                        updates_by_cin=candidate.target is not None,
                    )
                )  # fmt: skip
            elif in_file:
                other, result = in_file[0]
                message = _("likely the same person as line {line} ({score})").format(
                    line=lines[other.id], score=_described(result)
                )
                found.append(
                    PossibleDuplicate(
                        candidate.line, message, result.value, other_line=lines[other.id],
                        updates_by_cin=candidate.target is not None,
                    )
                )  # fmt: skip
        return found


def _line_id(line: int) -> uuid.UUID:
    """An id for a line not yet written: fixed, so equal scores are ordered by line."""
    return uuid.UUID(int=line)


def _described(result: Score) -> str:
    return _("score {score}/100: {reasons}").format(
        score=result.value, reasons=reasons_text(result.reasons)
    )
