"""Which pairs are worth comparing: those sharing at least one blocking key.

Comparing every pair of 50,000 people is 1.25 billion comparisons; two registrations of
one person almost always share something cheap to index: an identifier, a birth date
(day and month in either order), the consonants of the family name with the birth
year, or the consonants of both names (in either order, for swapped names), in Latin or
Arabic script. A key shared by more than :data:`MAX_BLOCK` people says too little to be
worth its pairs (a common name without its year) and is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from app.duplicates.normalise import skeleton
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
    lasts = {skeleton(form) for form in identity.last}
    firsts = {skeleton(form) for form in identity.first}
    for last in lasts:
        if birth is not None:
            found.add(("ly", last, birth.year))
        for first in firsts:
            found.add(("n", *_pair(last, first)))
    lasts_ar = set(identity.last_ar)
    firsts_ar = set(identity.first_ar)
    for last in lasts_ar:
        if birth is not None:
            found.add(("ay", last, birth.year))
        for first in firsts_ar:
            found.add(("a", *_pair(last, first)))
    return found


def blocks(identities: Sequence[Identity]) -> Iterator[list[int]]:
    """Positions of the identities sharing each key (blocks of 2 to MAX_BLOCK)."""
    index: dict[Key, list[int]] = defaultdict(list)
    for position, identity in enumerate(identities):
        for key in keys(identity):
            index[key].append(position)
    for members in index.values():
        if 1 < len(members) <= MAX_BLOCK:
            yield members


def candidate_pairs(identities: Sequence[Identity]) -> set[tuple[int, int]]:
    """Each pair of positions sharing a block, once."""
    pairs: set[tuple[int, int]] = set()
    for members in blocks(identities):
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                pairs.add((first, second))
    return pairs


def sharing_a_key(candidate: Identity, others: Iterable[Identity]) -> Iterator[Identity]:
    """The identities among ``others`` that share a blocking key with ``candidate``."""
    wanted = keys(candidate)
    for other in others:
        if other.id != candidate.id and not wanted.isdisjoint(keys(other)):
            yield other
