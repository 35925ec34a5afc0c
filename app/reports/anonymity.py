"""k-anonymity of the case list: nobody can be singled out by what others may know.

Without names or numbers, a row can still name a person: who knows someone's birth
year, sex, prison and month of intake finds their row when no other row shares those
facts. Under law 09-08 such a list is pseudonymised, not anonymous. The list is made
k-anonymous on its *quasi-identifiers* (age, sex, place, intake and release dates):
every combination of them shown is shared by at least ``k`` rows.

Two means, in this order (Sweeney; Samarati's generalisation ladder):

1. **Generalisation**, one step of :data:`LADDER` at a time for the whole list: 5-year
   age bands and quarters, then the region instead of the facility, then 10-year bands
   and years, then no place, then 20-year bands and no dates. The first step where at
   most :data:`MAX_SUPPRESSED` of the rows fall in groups smaller than ``k`` is kept.
2. **Suppression** of the rows still in groups smaller than ``k``: they are left out,
   and the export says how many.

The rows are held in memory for this (a group can only be counted once every row is
known): 50,000 small tuples, a few megabytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

DEFAULT_K = 5
MAX_SUPPRESSED = 0.05
"""Share of rows a generalisation step may suppress before the next step is tried."""


@dataclass(frozen=True)
class Step:
    age_band: int
    """Width of the age bands, in years."""
    period: str
    """"quarter", "year" or "" (not shown) for the intake and release dates."""
    place: str
    """"facility", "region" or "" (no place)."""


LADDER = (
    Step(5, "quarter", "facility"),
    Step(5, "quarter", "region"),
    Step(10, "year", "region"),
    Step(10, "year", ""),
    Step(20, "year", ""),
    Step(20, "", ""),
)


class Quasi(NamedTuple):
    """The facts of a row that others may know, before generalisation."""

    birth_year: int | None
    sex: str | None
    facility: str | None
    region: str | None
    intake_month: str | None
    """"YYYY-MM"."""
    release_month: str | None


class Shown(NamedTuple):
    """The same facts as the export shows them, after generalisation."""

    age: tuple[int, int] | None
    """First and last age of the band."""
    sex: str | None
    place: str | None
    intake: str | None
    """"YYYY-Qn" or "YYYY"."""
    release: str | None


@dataclass(frozen=True)
class Anonymised:
    step: Step
    kept: list[int]
    """Indices of the rows kept, in their order."""
    shown: list[Shown]
    """For each kept row, its generalised quasi-identifiers."""
    suppressed: int
    k: int


def generalise(row: Quasi, step: Step, year: int) -> Shown:
    """``row``'s quasi-identifiers at ``step``; ages are counted at ``year``."""
    return Shown._make(_keys([row], step, year)[0])


def _keys(rows: Sequence[Quasi], step: Step, year: int) -> list[tuple[object, ...]]:
    """The generalised facts of every row as plain tuples (equal to their ``Shown``):
    50,000 rows a step, so no object is built per row beyond the tuple."""
    band, period = step.age_band, step.period
    if step.place == "facility":
        return [
            (
                _age(r.birth_year, band, year),
                r.sex,
                r.facility,
                _period(r.intake_month, period),
                _period(r.release_month, period),
            )
            for r in rows
        ]
    use_region = step.place == "region"
    return [
        (
            _age(r.birth_year, band, year),
            r.sex,
            r.region if use_region else None,
            _period(r.intake_month, period),
            _period(r.release_month, period),
        )
        for r in rows
    ]


@lru_cache(maxsize=1024)
def _age(birth_year: int | None, band: int, year: int) -> tuple[int, int] | None:
    if birth_year is None:
        return None
    years = max(year - birth_year, 0)
    low = years - years % band
    return (low, low + band - 1)


@lru_cache(maxsize=4096)
def _period(month: str | None, period: str) -> str | None:
    if not month or not period:
        return None
    if period == "year":
        return month[:4]
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def anonymise(rows: Sequence[Quasi], k: int, year: int) -> Anonymised:
    """The least general step of :data:`LADDER` that keeps ``rows`` k-anonymous with few
    suppressions, and which rows it keeps."""
    if k < 1:
        raise ValueError("k must be at least 1")
    chosen: tuple[Step, list[tuple[object, ...]], Counter[tuple[object, ...]]] | None = None
    for step in LADDER:
        shown = _keys(rows, step, year)
        groups = Counter(shown)
        small = sum(count for count in groups.values() if count < k)
        chosen = (step, shown, groups)
        if small <= MAX_SUPPRESSED * len(rows):
            break
    if chosen is None:  # no rows
        return Anonymised(LADDER[0], [], [], 0, k)
    step, shown, groups = chosen
    kept = [index for index, facts in enumerate(shown) if groups[facts] >= k]
    facts = [Shown._make(shown[i]) for i in kept]
    return Anonymised(step, kept, facts, len(rows) - len(kept), k)


def smallest_group(rows: Iterable[Sequence[object]]) -> int:
    """The size of the smallest group of identical rows (0 for none): what a test measures
    on an export's quasi-identifier columns."""
    groups = Counter(tuple(row) for row in rows)
    return min(groups.values(), default=0)


def small_cell(count: int, k: int) -> bool:
    """A count of people too small to publish in a breakdown (zero is no one: shown)."""
    return 0 < count < k
