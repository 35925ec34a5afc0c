"""Pairs a person has decided are not duplicates: never proposed again.

The hook between matching and the duplicate decisions (recorded by the merge service):
``find_matches`` and ``find_all_pairs`` drop every pair returned here. Decisions are
recorded by app.services.duplicates and app.services.merging.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import DuplicateDecision


def dismissed_pairs(
    session: Session, ids: Collection[uuid.UUID] | None = None
) -> set[frozenset[uuid.UUID]]:
    """Pairs recorded as "not a duplicate" (those involving ``ids`` only, when given);
    merged pairs too (the merged-away file is no longer live anyway)."""
    query = select(DuplicateDecision.beneficiary_id, DuplicateDecision.other_id)
    if ids is not None:
        wanted = list(ids)
        query = query.where(
            or_(
                DuplicateDecision.beneficiary_id.in_(wanted),
                DuplicateDecision.other_id.in_(wanted),
            )
        )
    return {frozenset(row) for row in session.execute(query)}
