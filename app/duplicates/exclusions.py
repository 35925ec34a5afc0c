"""Pairs a person has decided are not duplicates: never proposed again.

The hook between matching and the duplicate decisions (recorded by the merge service):
``find_matches`` and ``find_all_pairs`` drop every pair returned here. Until decisions
are recorded there are none.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.orm import Session


def dismissed_pairs(
    session: Session, ids: Collection[uuid.UUID] | None = None
) -> set[frozenset[uuid.UUID]]:
    """Pairs recorded as "not a duplicate" (those involving ``ids`` only, when given)."""
    del session, ids
    return set()
