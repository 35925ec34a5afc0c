"""Which pairs are worth comparing: those sharing at least one blocking key.

Comparing every pair of 50,000 people is 1.25 billion comparisons; two registrations of
one person almost always share something cheap to index: an identifier, a birth date
(day and month in either order), or the consonants of both names (in either order, for
swapped names) in Latin script, or both names in normalised Arabic.

A pair that shares none of these has both its names *and* its birth date different (not
just transposed): born the same year at best, it scores at most 77 (:mod:`scoring`), below
any threshold from 78 up, so no likely pair is lost at the default 80. (Keys on the
family name and birth year were tried: at 50,000 they made blocks of hundreds of namesakes
born the same year, ten times the pairs, none of them above 77.) A key shared by more than
:data:`MAX_BLOCK` people says too little to be worth its pairs and is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import combinations

from app.duplicates.normalise import CACHED_NAMES, skeleton
from app.duplicates.scoring import Identity

MAX_BLOCK = 400

Key = tuple[str | int, ...]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def keys(identity: Identity) -> set[Key]:
    """Every blocking key of one identity."""
    found: set[Key] = set()
    if identity.cin:
        found.add(("c", identity.cin))
    if identity.registration:
        found.add(("r", identity.registration))
    birth = identity.birth
    if birth is not None:
        low, high = sorted((birth.month, birth.day))
        found.add(("d", birth.year, low, high))
    found.update(_name_keys(identity.last, identity.first, identity.last_ar, identity.first_ar))
    return found


@lru_cache(maxsize=CACHED_NAMES)
def _name_keys(
    last: tuple[str, ...],
    first: tuple[str, ...],
    last_ar: tuple[str, ...],
    first_ar: tuple[str, ...],
) -> frozenset[Key]:
    found: set[Key] = set()
    for family in {skeleton(form) for form in last}:
        for given in {skeleton(form) for form in first}:
            found.add(("n", *_pair(family, given)))
    for family in last_ar:
        for given in first_ar:
            found.add(("a", *_pair(family, given)))
    return frozenset(found)


def by_name(key: Key) -> bool:
    """A key on names alone: it pairs people only when one of them has no birth date.

    Both dated, names alike but dates apart (not swapped) score at most 77: such pairs
    are not worth comparing.
    """
    return key[0] in ("n", "a")


def related(a: Identity, b: Identity, key: Key) -> bool:
    """Whether sharing ``key`` makes ``a`` and ``b`` worth comparing."""
    return not by_name(key) or a.birth is None or b.birth is None


def blocks(identities: Sequence[Identity]) -> Iterator[tuple[Key, list[int]]]:
    """Positions of the identities sharing each key (blocks of 2 to MAX_BLOCK)."""
    index: dict[Key, list[int]] = defaultdict(list)
    for position, identity in enumerate(identities):
        for key in keys(identity):
            index[key].append(position)
    for key, members in index.items():
        if 1 < len(members) <= MAX_BLOCK:
            yield key, members


def candidate_pairs(identities: Sequence[Identity]) -> set[tuple[int, int]]:
    """Each pair of positions worth comparing (sharing a key, :func:`related`), once."""
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks(identities):
        if by_name(key):
            undated = [m for m in members if identities[m].birth is None]
            for first in undated:
                pairs.update((min(first, m), max(first, m)) for m in members if m != first)
            continue
        pairs.update(combinations(members, 2))  # members ascend: (i, j) with i < j
    return pairs


def sharing_a_key(candidate: Identity, others: Iterable[Identity]) -> Iterator[Identity]:
    """The identities among ``others`` worth comparing with ``candidate``."""
    wanted = keys(candidate)
    for other in others:
        if other.id == candidate.id:
            continue
        if any(related(candidate, other, key) for key in wanted & keys(other)):
            yield other
