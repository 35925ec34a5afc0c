"""The push's creation fast path stores and answers exactly what the careful path does
(issue 23), on SQLite and PostgreSQL.

A demo laptop's outbox (every record type, parents first, children in the same batch as
their parents or in a later one) is cut into batches into which generated changes are
mixed: a parent that never arrives, bad field values, a field of a newer version, a
change id sent again (in the same batch and in a later one), a record created then
edited or deleted in the same batch, a case merged into another then given a session
(redirected by the careful path), a psychologist-only session from a role that may not
hold one, a referral without consent (the merge asks the database), a case moved to
another team between two notes of one of its sessions; some batches are pushed by a
counsellor outside the demo cases' team. Each batch is pushed by the real merge into two
databases: in bulk (where creations take the fast path) and the careful way
(``push(bulk=False)``, a savepoint and the ORM per change). Answers, stored records and
the change log must be the same, with ids of the databases' own making replaced by labels.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import outbox
from app.sync.push import _change
from app.sync.state import OUTBOX
from passerelle_core.protocol import Change, ChangeResult
from server.core.db import Database
from server.services import creation, lookups, push
from tests.server import factories
from tests.server.harness import change
from tests.server.test_push_bulk_random import _caller, _stored

ROLES = ("admin", "social_worker", "psychologist")
SEED = 23


@pytest.fixture(scope="module")
def outbox_changes(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """A demo laptop's outbox as wire changes (every synced record type)."""
    folder = tmp_path_factory.mktemp("fast-create-laptop")
    profile = Profile.create(folder / "laptop", "test passphrase", KdfParams.fast_for_tests())
    try:
        fill_profile(profile, 12, seed=3)
        outbox.queue_all(profile)
        with profile.engine.connect() as connection:
            rows = connection.execute(select(OUTBOX).order_by(OUTBOX.c.seq)).all()
    finally:
        profile.close()
    return [_change(row).model_dump(mode="json") for row in rows]


def _mixed_in(rng: random.Random, batch: list[dict[str, Any]], sent: list[dict[str, Any]]) -> None:
    """Generated changes inserted at random places of ``batch`` (in a valid order)."""
    cases = [c["record_id"] for c in batch + sent if c["record_type"] == "beneficiary"]
    case = uuid.UUID(rng.choice(cases)) if cases else uuid.uuid4()

    def put(*changes: dict[str, Any]) -> None:
        at = rng.randrange(len(batch) + 1)
        batch[at:at] = changes  # kept together, in this order

    new_case = uuid.uuid4()
    put(
        change("beneficiary", new_case, factories.beneficiary(None)),
        change("follow_up_session", (s := uuid.uuid4()), factories.follow_up_session(new_case)),
        change("session_note", uuid.uuid4(), factories.session_note(s)),
        change("beneficiary", new_case, {"last_name": "Tazi"}, base_version=1),
        change("follow_up_session", s, {"topic": "Work"}, base_version=1),
        change("action_plan", (p := uuid.uuid4()), factories.action_plan(new_case)),
        change("action_plan", p, op="delete", base_version=1),
    )
    put(change("follow_up_session", uuid.uuid4(), factories.follow_up_session(uuid.uuid4())))
    put(change("action_plan", uuid.uuid4(), factories.action_plan(case, status="nonsense")))
    put(
        change(
            "follow_up_session",
            uuid.uuid4(),
            factories.follow_up_session(case, mood_after="calm"),  # a newer field
        )
    )
    put(
        change(
            "follow_up_session",
            uuid.uuid4(),
            {**factories.follow_up_session(new_case), "Bad Name": 1},
        )
    )
    put(change("goal", uuid.uuid4(), {"plan_id": str(uuid.uuid4()), "title": "Orphan"}))
    put(change("session_note", uuid.uuid4(), op="delete"))  # made and dropped offline
    merged, kept = uuid.uuid4(), uuid.uuid4()
    put(
        change("beneficiary", kept, factories.beneficiary(None)),
        change("beneficiary", merged, factories.beneficiary(None, merged_into_id=str(kept))),
        change("follow_up_session", uuid.uuid4(), factories.follow_up_session(merged)),
    )
    private = factories.follow_up_session(case, "psychologist_only")
    put(change("follow_up_session", uuid.uuid4(), private))
    referral = {
        "reference": "R-1",
        "beneficiary_id": str(case),
        "partner_id": str(uuid.uuid4()),
        "sent_on": "2024-05-02",
    }
    put(change("referral", uuid.uuid4(), referral))  # no consent: the database is asked
    sessions = [
        c
        for c in sent
        if c["record_type"] == "follow_up_session" and "beneficiary_id" in c["fields"]
    ]
    if sessions:  # a case moved between two notes of one of its sessions (read as a row)
        session = rng.choice(sessions)
        moved = session["fields"]["beneficiary_id"]
        put(
            change("session_note", uuid.uuid4(), factories.session_note(session["record_id"])),
            change("beneficiary", moved, {"team_id": str(uuid.uuid4())}, base_version=1),
            change("session_note", uuid.uuid4(), factories.session_note(session["record_id"])),
        )
    earlier = batch + sent
    for _ in range(3):  # a change id sent again, from this batch or an earlier one
        batch.append(dict(rng.choice(earlier)))


def _answers(results: list[ChangeResult]) -> list[dict[str, Any]]:
    answers = []
    for result in results:
        answer = result.model_dump(mode="json")
        answer["conflict_id"] = answer["conflict_id"] is not None  # made by each database
        answers.append(answer)
    return answers


def test_fast_creations_store_what_the_careful_path_stores(
    two_databases: list[Database],
    outbox_changes: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bulk_db, careful_db = two_databases
    callers = [[_caller(db, role, n) for n, role in enumerate(ROLES)] for db in two_databases]
    fast = _count_fast_creations(monkeypatch)
    rng = random.Random(SEED)
    sent: list[dict[str, Any]] = []
    statuses: dict[tuple[str, bool], int] = {}
    position = 0
    while position < len(outbox_changes):
        size = rng.randint(20, 120)
        batch = [dict(c) for c in outbox_changes[position : position + size]]
        position += size
        _mixed_in(rng, batch, sent)
        who = 0 if rng.random() < 0.7 else rng.randrange(1, len(ROLES))
        parsed = [Change.model_validate(c) for c in batch]
        results = []
        for database, bulk in ((bulk_db, True), (careful_db, False)):
            with database.session() as session:
                results.append(push.push(session, callers[not bulk][who], parsed, bulk=bulk))
        assert _answers(results[0]) == _answers(results[1])
        for result in results[0]:
            key = (result.status, result.permanent)
            statuses[key] = statuses.get(key, 0) + 1
        sent.extend(batch)
    strings = {v for c in sent for v in c["fields"].values() if isinstance(v, str)}
    assert _stored(bulk_db, callers[0], strings) == _stored(careful_db, callers[1], strings)
    # Every kind of answer was reached, and most creations took the fast path.
    for kind in (("applied", False), ("rejected", True), ("rejected", False), ("duplicate", False)):
        assert statuses.get(kind, 0) > 0, statuses
    assert fast["created"] > 0.8 * len(outbox_changes), (fast, len(outbox_changes))
    assert fast["careful"] > 0, fast  # merged-away case, outside scope: the careful path


def _count_fast_creations(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often, in a bulk batch, the fast path created a record and how often it left
    one to the careful path (a counting wrapper around the real function)."""
    counts = {"created": 0, "careful": 0}
    real: Callable[..., ChangeResult | None] = creation.create

    def counting(*args: Any, **kwargs: Any) -> ChangeResult | None:
        result = real(*args, **kwargs)
        if lookups.batch_of(args[0]) is not None:
            counts["created" if result is not None else "careful"] += 1
        return result

    monkeypatch.setattr(creation, "create", counting)
    return counts
