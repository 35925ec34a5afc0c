"""Likely duplicates: of one identity about to be saved, or across the whole caseload.

``find_matches`` is the check at registration: it reads only the people who could match
(same identifier, same birth date, or sharing the names' words in the search index) and
scores them. ``find_all_pairs`` reads the caseload's identities once
and scores only the pairs that share a blocking key (:mod:`app.duplicates.blocking`).
Both leave out pairs a person has decided are not duplicates
(:func:`app.duplicates.exclusions.dismissed_pairs`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select, text
from sqlalchemy.orm import Session

from app.duplicates import blocking, exclusions, normalise
from app.duplicates.index import Index
from app.duplicates.scoring import Identity, likely
from app.models import Beneficiary
from app.store.textfold import JOINED_PARTICLES, fold_tokens, is_article, stem
from passerelle_core.enums import Sex

NO_ID = uuid.UUID(int=0)
"""``second_id`` of a match for a candidate that has no id yet (not saved)."""
DEFAULT_THRESHOLD = 80
FTS_LIMIT = 500


@dataclass(frozen=True)
class Match:
    """Two files that may be one person.

    From ``find_all_pairs``, ``first_id`` is the smaller id of the pair; from
    ``find_matches``, ``first_id`` is the existing file and ``second_id`` the candidate's
    id (its ``exclude_id``, or :data:`NO_ID` for an identity not saved yet).
    """

    first_id: uuid.UUID
    second_id: uuid.UUID
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """An identity not yet saved (register dialog, import line), or one to check again."""

    first_name: str
    last_name: str
    first_name_ar: str | None = None
    last_name_ar: str | None = None
    birth_date: date | None = None
    cin: str | None = None
    registration_number: str | None = None
    sex: Sex | None = None

    def identity(self, id: uuid.UUID = NO_ID) -> Identity:  # noqa: A002
        return Identity.of(
            id,
            last_name=self.last_name,
            first_name=self.first_name,
            last_name_ar=self.last_name_ar,
            first_name_ar=self.first_name_ar,
            birth_date=self.birth_date,
            cin=self.cin,
            registration_number=self.registration_number,
            sex=self.sex,
        )


_COLUMNS = (
    Beneficiary.id,
    Beneficiary.last_name,
    Beneficiary.first_name,
    Beneficiary.last_name_ar,
    Beneficiary.first_name_ar,
    Beneficiary.birth_date,
    Beneficiary.cin,
    Beneficiary.registration_number,
    Beneficiary.sex,
)


def _live() -> Select[*tuple[Any, ...]]:
    """Identities of files that can still be duplicates: not deleted, not anonymised."""
    return select(*_COLUMNS).where(
        Beneficiary.deleted_at.is_(None), Beneficiary.anonymised_on.is_(None)
    )


def _identities(rows: Iterable[Sequence[Any]]) -> list[Identity]:
    """Identities of rows of :data:`_COLUMNS`, in that order (positional: 50,000 rows)."""
    return [
        Identity.of(
            id_, last_name=last, first_name=first, last_name_ar=last_ar,
            first_name_ar=first_ar, birth_date=birth, cin=cin, registration_number=number,
            sex=sex,
        )
        for id_, last, first, last_ar, first_ar, birth, cin, number, sex in rows
    ]  # fmt: skip


def default_threshold(session: Session) -> int:
    """The administrator's threshold from the server's policy (80 until one is received)."""
    from app.sync.policy import read_policy

    return read_policy(session.connection()).duplicate_threshold


def find_matches(
    session: Session,
    candidate: Candidate,
    *,
    threshold: int | None = None,
    limit: int = 10,
    exclude_id: uuid.UUID | None = None,
) -> list[Match]:
    """Live files that may be ``candidate``, best first (at most ``limit``)."""
    if threshold is None:
        threshold = default_threshold(session)
    own = candidate.identity(exclude_id or NO_ID)
    rows = session.execute(_live().where(_retrieval(session, candidate)))
    others = [other for other in _identities(rows) if other.id != exclude_id]
    dismissed = exclusions.dismissed_pairs(session, {own.id}) if exclude_id else set()
    found = []
    for other in blocking.sharing_a_key(own, others):
        if frozenset((own.id, other.id)) in dismissed:
            continue
        result = likely(own, other, threshold)
        if result is not None:
            found.append(Match(other.id, own.id, result.value, result.reasons))
    found.sort(key=lambda match: (-match.score, str(match.first_id)))
    return found[:limit]


def caseload_index(session: Session) -> Index:
    """Every live identity of the caseload, indexed to match many candidates (an import)."""
    return Index(_identities(session.execute(_live())))


def find_all_pairs(session: Session, *, threshold: int | None = None) -> list[Match]:
    """Every likely pair of the live caseload, best first; blocked, never all pairs."""
    if threshold is None:
        threshold = default_threshold(session)
    identities = _identities(session.execute(_live()))
    dismissed = exclusions.dismissed_pairs(session)
    found = []
    for i, j in blocking.candidate_pairs(identities):
        a, b = identities[i], identities[j]
        if a.id > b.id:
            a, b = b, a
        if frozenset((a.id, b.id)) in dismissed:
            continue
        result = likely(a, b, threshold)
        if result is not None:
            found.append(Match(a.id, b.id, result.value, result.reasons))
    found.sort(key=lambda match: (-match.score, str(match.first_id), str(match.second_id)))
    return found


def _retrieval(session: Session, candidate: Candidate) -> ColumnElement[bool]:
    """Who could match: same identifier, same birth date (or day and month swapped), or
    the same words of both names in the search index (a file without a birth date).

    The blocking keys, fetched with what the profile indexes already. A file without
    a birth date whose names are spelt otherwise is not fetched: it may score up to 84
    (names identical once transliterated), and ``find_all_pairs`` finds it.
    """
    conditions = []
    cin = normalise.identifier(candidate.cin)
    if cin:
        conditions.append(Beneficiary.cin == cin.upper())
    if candidate.registration_number:
        conditions.append(Beneficiary.registration_number == candidate.registration_number.strip())
    birth = candidate.birth_date
    if birth is not None:
        days = {birth}
        if birth.day <= 12:
            days.add(date(birth.year, birth.day, birth.month))
        conditions.append(Beneficiary.birth_date.in_(sorted(days)))
    ids = _indexed(session, candidate)
    if ids:
        conditions.append(Beneficiary.id.in_(ids))
    return or_(*conditions) if conditions else false()


def _words(*names: str | None) -> list[str]:
    words: list[str] = []
    for name in names:
        for token in fold_tokens(name or ""):
            if is_article(token) or token in JOINED_PARTICLES or len(token) < 2:
                continue
            words.append(token)
            found = stem(token)
            if found:
                words.append(found)
    return list(dict.fromkeys(words))


def _indexed(session: Session, candidate: Candidate) -> Sequence[uuid.UUID]:
    """Files whose indexed names hold a word of each of the candidate's two names."""
    lasts = _words(candidate.last_name, candidate.last_name_ar)
    firsts = _words(candidate.first_name, candidate.first_name_ar)
    if not lasts or not firsts:
        return []

    def group(words: list[str]) -> str:
        return " OR ".join('"' + word.replace('"', "") + '"' for word in words)

    expression = f"names : ({group(lasts)}) AND names : ({group(firsts)})"
    rows = session.execute(
        text(
            "SELECT m.beneficiary_id FROM beneficiary_search AS s "
            "JOIN beneficiary_search_map AS m ON m.docid = s.rowid "
            "WHERE beneficiary_search MATCH :expression LIMIT :limit"
        ),
        {"expression": expression, "limit": FTS_LIMIT},
    )
    return [uuid.UUID(str(value)) if not isinstance(value, uuid.UUID) else value
            for (value,) in rows]  # fmt: skip
