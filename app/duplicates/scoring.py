"""How alike two identities are: a score from 0 to 100 and the reasons behind it.

The method is record linkage's (Splink's documentation describes it): each field
compared says something for or against, weighted by how much it tells.

- The same CIN or registration number is the same person: 100.
- Names count for 65 points, birth dates for 35: names 92% similar with the same birth
  date give 95; the same names born the same year on another day give 77 (two men
  called Mohamed Alaoui born in 1990 are common), below the default threshold of 80.
- Brothers share a family name and often a birth year, twins a birth date: first names
  less than 80% alike (or family names less than 70%) cap the score at 60, whatever the
  rest. Different sexes, or two different CINs, take 25 points off.

Similarity is rapidfuzz's normalised Indel ratio of the transliterated forms
(:mod:`app.duplicates.normalise`), in Latin and, when both files have it, Arabic script.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from rapidfuzz.fuzz import ratio

from app.duplicates import normalise
from app.i18n import N_, _, current_language

NAME_WEIGHT = 0.65
BIRTH_WEIGHT = 0.35
FIRST_NAME_FLOOR = 80
LAST_NAME_FLOOR = 70
DIFFERENT_NAMES_CAP = 60
CONTRADICTION_PENALTY = 25
SWAP_MARGIN = 10
MAX_WITHOUT_IDENTIFIER = 99

BIRTH_EXACT = 100
BIRTH_TRANSPOSED = 90
BIRTH_UNKNOWN = 55
BIRTH_SAME_YEAR = 35
BIRTH_NEXT_YEAR = 10


@dataclass(frozen=True, slots=True)
class Identity:
    """One person's identity, normalised once so that comparing it costs little."""

    id: uuid.UUID
    last: tuple[str, ...]
    first: tuple[str, ...]
    last_ar: tuple[str, ...]
    first_ar: tuple[str, ...]
    birth: date | None
    cin: str | None
    registration: str | None
    sex: str | None

    @classmethod
    def of(
        cls,
        id: uuid.UUID,  # noqa: A002 - the record's own name for it
        *,
        last_name: str | None,
        first_name: str | None,
        last_name_ar: str | None = None,
        first_name_ar: str | None = None,
        birth_date: date | None = None,
        cin: str | None = None,
        registration_number: str | None = None,
        sex: object | None = None,
    ) -> Identity:
        return cls(
            id=id,
            last=normalise.latin_forms(last_name),
            first=normalise.latin_forms(first_name),
            last_ar=normalise.arabic_forms(last_name_ar),
            first_ar=normalise.arabic_forms(first_name_ar),
            birth=birth_date,
            cin=normalise.identifier(cin),
            registration=normalise.identifier(registration_number),
            sex=str(getattr(sex, "value", sex)) if sex else None,
        )


@dataclass(frozen=True, slots=True)
class Score:
    value: int
    reasons: tuple[str, ...]


def reasons_text(reasons: tuple[str, ...]) -> str:
    """The reasons as one phrase, with the Arabic comma in Arabic."""
    return ("، " if current_language() == "ar" else ", ").join(reasons)


def similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """Best ratio (0-100) between the forms of two names; None when one is missing."""
    if not a or not b:
        return None
    if len(a) == 1 and len(b) == 1:
        return ratio(a[0], b[0])
    return max(ratio(x, y) for x in a for y in b)


def transposed(a: date, b: date) -> bool:
    """Same year, day and month swapped (03/04 typed for 04/03)."""
    return a.year == b.year and a.month == b.day and a.day == b.month and a != b


def _combined(latin: float | None, arabic: float | None) -> float:
    """One similarity from both scripts.

    Identical normalised Arabic settles it (the Latin spellings of one Arabic name vary
    more than the Arabic does); otherwise the lower of the two, because a short Arabic
    name one letter off (حسن/حسين, Hassan/Houssine) is another name, not a typo.
    """
    if arabic is None:
        return latin or 0.0
    if latin is None or arabic == 100:
        return arabic
    return min(latin, arabic)


def _names(a: Identity, b: Identity) -> tuple[float, float, float | None, float | None]:
    """(family, first, Arabic family, Arabic first) similarities, the best script each."""
    last_ar = similarity(a.last_ar, b.last_ar)
    first_ar = similarity(a.first_ar, b.first_ar)
    last = _combined(similarity(a.last, b.last), last_ar)
    first = _combined(similarity(a.first, b.first), first_ar)
    return last, first, last_ar, first_ar


def _swapped(a: Identity, b: Identity) -> tuple[float, float] | None:
    """Similarities with one file's first and family names swapped; None when the first
    names so compared are too far apart for the swap to matter."""
    first = _combined(similarity(a.first, b.last), similarity(a.first_ar, b.last_ar))
    if first < FIRST_NAME_FLOOR:
        return None
    last = _combined(similarity(a.last, b.first), similarity(a.last_ar, b.first_ar))
    return last, first


def _birth(a: date | None, b: date | None) -> int:
    if a is None or b is None:
        return BIRTH_UNKNOWN
    if a == b:
        return BIRTH_EXACT
    if transposed(a, b):
        return BIRTH_TRANSPOSED
    if a.year == b.year:
        return BIRTH_SAME_YEAR
    if abs(a.year - b.year) == 1:
        return BIRTH_NEXT_YEAR
    return 0


_BIRTH_REASONS = {
    BIRTH_EXACT: N_("same birth date"),
    BIRTH_TRANSPOSED: N_("birth day and month swapped"),
    BIRTH_SAME_YEAR: N_("same birth year"),
}


def score(a: Identity, b: Identity) -> Score:
    """The likelihood that ``a`` and ``b`` are one person, with its reasons."""
    found = likely(a, b, 0)
    assert found is not None  # every pair reaches 0
    return found


def likely(a: Identity, b: Identity, threshold: int) -> Score | None:
    """``score(a, b)`` if it reaches ``threshold``, else None; cheap for unlikely pairs.

    What cannot reach the threshold is left early: a birth date that rules it out
    whatever the names, first names too far apart (unless swapped with the family name).
    """
    if a.cin and a.cin == b.cin:
        return Score(100, (_("same CIN"),))
    if a.registration and a.registration == b.registration:
        return Score(100, (_("same registration number"),))
    birth = _birth(a.birth, b.birth)
    penalty = 0
    if a.sex and b.sex and a.sex != b.sex:
        penalty += CONTRADICTION_PENALTY
    if a.cin and b.cin:
        penalty += CONTRADICTION_PENALTY
    best = min(MAX_WITHOUT_IDENTIFIER, round(NAME_WEIGHT * 100 + BIRTH_WEIGHT * birth - penalty))
    if best < threshold:
        return None
    capped = min(DIFFERENT_NAMES_CAP, best)
    first_ar = similarity(a.first_ar, b.first_ar)
    first = _combined(similarity(a.first, b.first), first_ar)
    swapped = False
    last_ar: float | None = None
    if first >= FIRST_NAME_FLOOR or capped >= threshold:
        last_ar = similarity(a.last_ar, b.last_ar)
        last = _combined(similarity(a.last, b.last), last_ar)
    else:
        last = 0.0  # capped below the threshold unless the names are swapped
    if first < FIRST_NAME_FLOOR or last < LAST_NAME_FLOOR:
        other_way = _swapped(a, b)
        if other_way is not None and sum(other_way) / 2 > (last + first) / 2 + SWAP_MARGIN:
            (last, first), swapped = other_way, True
    names = (last + first) / 2
    value = NAME_WEIGHT * names + BIRTH_WEIGHT * birth
    if first < FIRST_NAME_FLOOR or last < LAST_NAME_FLOOR:
        value = min(value, DIFFERENT_NAMES_CAP)
    value = max(0, min(MAX_WITHOUT_IDENTIFIER, round(value - penalty)))
    if value < threshold:
        return None
    reasons: list[str] = []
    if swapped:
        reasons.append(_("first and last names swapped"))
    if birth in _BIRTH_REASONS:
        reasons.append(_(_BIRTH_REASONS[birth]))
    reasons.append(_("similar names ({percent}%)").format(percent=round(names)))
    if last_ar == 100 and first_ar == 100 and not swapped:
        reasons.append(_("Arabic names identical"))
    return Score(value, tuple(reasons))
