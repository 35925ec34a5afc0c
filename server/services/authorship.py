"""Who did something is the authenticated account, never what a laptop says.

The ``*_by`` fields of a pushed change (and ``updated_by_id``) are set by the server from
the account behind the device token: a modified laptop cannot write in a colleague's
name. Authorship of a creation (a plan's or a note's author, who recorded a consent or
an outcome, who referred, who organised a meeting) is fixed when the record is created:
a later change of it is ignored. Acts that happen later (approving, withdrawing,
resolving) are credited to whoever pushes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

UPDATED_BY = "updated_by_id"
# Record type -> the fields naming who created it.
CREATED_BY: Mapping[str, frozenset[str]] = {
    "action_plan": frozenset({"author_id"}),
    "session_note": frozenset({"author_id"}),
    "consent_record": frozenset({"recorded_by_id"}),
    "post_release_outcome": frozenset({"recorded_by_id"}),
    "referral": frozenset({"referred_by_id"}),
    "coordination_meeting": frozenset({"organiser_id"}),
}
# Record type -> the fields naming who did a later act (set only when the act happens).
ACTED_BY: Mapping[str, frozenset[str]] = {
    "action_plan": frozenset({"approved_by_id"}),
    "consent_record": frozenset({"withdrawn_by_id"}),
    "sync_conflict": frozenset({"resolved_by"}),
}


def stamp(
    record_type: str, values: Mapping[str, Any], actor: uuid.UUID, *, creating: bool
) -> dict[str, Any]:
    """``values`` with every authorship field set from ``actor`` (the pushing account)."""
    who = _text(actor)
    stamped = dict(values)
    stamped[UPDATED_BY] = who
    for name in CREATED_BY.get(record_type, frozenset()):
        if creating:
            stamped[name] = who
        else:
            stamped.pop(name, None)
    for name in ACTED_BY.get(record_type, frozenset()):
        if stamped.get(name) is not None:
            stamped[name] = who
    return stamped


@lru_cache(maxsize=256)
def _text(actor: uuid.UUID) -> str:
    """An account's id as text, made once (every change of a push is stamped with it)."""
    return str(actor)
