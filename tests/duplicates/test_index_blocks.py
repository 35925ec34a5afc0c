"""The import's index finds the identities worth comparing, as the blocking rule says.

:class:`app.duplicates.index.Index` keeps, for each key on names, its undated members
apart, and walks only them for a dated identity. The candidates it gives must be those
of the rule itself (:func:`app.duplicates.blocking.related` over every member of every
shared key below ``MAX_BLOCK``), in the same order: many namesakes, half without a
birth date, some blocks larger than ``MAX_BLOCK``.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date

from app.duplicates.blocking import MAX_BLOCK, Key, keys, related
from app.duplicates.index import Index
from app.duplicates.scoring import Identity

LAST = ["Alaoui", "El Alaoui", "Bennani", "Tazi", "Idrissi", "Berrada", "Amrani"]
FIRST = ["Mohamed", "Mohammed", "Fatima", "Youssef", "Khadija", "Ahmed", "Said"]


def reference(members: list[Identity], identity: Identity) -> list[Identity]:
    by_key: dict[Key, list[Identity]] = defaultdict(list)
    for member in members:
        for key in keys(member):
            by_key[key].append(member)
    found: dict[uuid.UUID, Identity] = {}
    for key in keys(identity):
        block = by_key.get(key, [])
        if len(block) < MAX_BLOCK:
            for member in block:
                if related(identity, member, key):
                    found.setdefault(member.id, member)
    found.pop(identity.id, None)
    return list(found.values())


def test_candidates_are_those_of_the_blocking_rule() -> None:
    chance = random.Random(23)
    people = []
    for number in range(3_000):
        dated = chance.random() < 0.5
        birth = date(1980 + chance.randrange(3), 1 + chance.randrange(2), 1 + chance.randrange(3))
        people.append(
            Identity.of(
                uuid.UUID(int=number + 1),
                last_name=chance.choice(LAST if number % 3 else LAST[:2]),
                first_name=chance.choice(FIRST if number % 3 else FIRST[:2]),
                birth_date=birth if dated else None,
                cin=f"AB{chance.randrange(2_000)}" if chance.random() < 0.3 else None,
            )
        )
    index = Index(people[:2_000])
    sizes = {len(members) for members in index._by_key.values()}
    assert max(sizes) >= MAX_BLOCK, "some blocks are too large to be looked at"
    looked = 0
    for identity in people[1_500:]:  # some indexed already, some not
        expected = reference(people[:2_000], identity)
        assert index.candidates(identity) == expected
        assert index.candidates(identity, tuple(keys(identity))) == expected
        looked += len(expected)
    assert looked > 10_000
