"""Identities indexed by blocking key, to match many candidates against them at once.

The import checks each line against the whole caseload and against the earlier lines
of its file: reading the caseload's identities once and looking each line's keys up
costs a second for 50,000 files, where one query per line would cost minutes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable

from app.duplicates.blocking import MAX_BLOCK, Key, by_name, keys
from app.duplicates.scoring import Identity, Score, likely


class Index:
    """Identities by blocking key; for a key on names, also those without a birth date.

    A dated identity is worth comparing, through a key on names, only with undated ones
    (:func:`~app.duplicates.blocking.related`): those are kept apart, so that a block of
    namesakes (a few hundred Mohamed Alaoui) is not walked member by member for the few
    it holds. The block's size still decides whether it is looked at (``MAX_BLOCK``).
    """

    def __init__(self, identities: Iterable[Identity] = ()) -> None:
        self._by_key: dict[Key, list[Identity]] = defaultdict(list)
        self._undated: dict[Key, list[Identity]] = defaultdict(list)
        for identity in identities:
            self.add(identity)

    def add(self, identity: Identity, its_keys: Iterable[Key] | None = None) -> None:
        """``its_keys``: ``keys(identity)`` if the caller has them already."""
        undated = identity.birth is None
        for key in keys(identity) if its_keys is None else its_keys:
            self._by_key[key].append(identity)
            if undated and by_name(key):
                self._undated[key].append(identity)

    def candidates(
        self, identity: Identity, its_keys: Iterable[Key] | None = None
    ) -> list[Identity]:
        """Indexed identities worth comparing with ``identity`` (each once)."""
        found: dict[uuid.UUID, Identity] = {}
        dated = identity.birth is not None
        for key in keys(identity) if its_keys is None else its_keys:
            members = self._by_key.get(key, ())
            if len(members) >= MAX_BLOCK:
                continue
            if dated and by_name(key):  # related: only the undated members, in order
                members = self._undated.get(key, ())
            for member in members:
                found.setdefault(member.id, member)
        found.pop(identity.id, None)
        return list(found.values())

    def matches(
        self,
        identity: Identity,
        threshold: int,
        exclude: Collection[uuid.UUID] = (),
        its_keys: Iterable[Key] | None = None,
    ) -> list[tuple[Identity, Score]]:
        """Indexed identities scoring at least ``threshold`` with ``identity``, best first.

        ``its_keys``: ``keys(identity)`` if the caller has them already (an import looks
        each row up in two indexes and adds it to one: its keys worked out once).
        """
        found = []
        for other in self.candidates(identity, its_keys):
            if other.id in exclude:
                continue
            result = likely(identity, other, threshold)
            if result is not None:
                found.append((other, result))
        found.sort(key=lambda pair: (-pair[1].value, str(pair[0].id)))
        return found
