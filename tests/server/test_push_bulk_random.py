"""Random batches merged in bulk and the careful way give the same answers and store
the same records (issue 23), on both backends.

The bulk merge writes new records with one Core INSERT, bypassing the ORM, and parses
fields by precompiled converters; the careful way (a savepoint and an ORM flush per
change) is the reference. Batches are generated from a seed: creations, edits with a
current or stale base version from three devices of three roles (so conflicts),
deletions, a change sent again, refusals for a retry (unknown parent), permanent ones
(bad values, a field no version may have, a psychologist-only session from another
role, a plan approved by a social worker) and a field of a newer version. The stored
records are then read back through the ORM in both databases and compared, with every
id a database made itself (users, teams, devices, conflicts) replaced by a label.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from passerelle_core.protocol import Change, ChangeResult
from server.core.db import Database
from server.core.tables import ChangeLog, Device, Record
from server.services import accounts, push
from server.services.devices import Caller
from server.services.passwords import Passwords
from tests.server import factories
from tests.server.harness import (
    change,
    fresh_postgres_database,
    migrated_database,
    postgres_admin_url,
)

ROLES = ("admin", "psychologist", "social_worker")
SEEDS = (11, 23, 2026)
BATCHES = 6
TIME = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+\+00:00")


@dataclass
class _Model:
    """What the generator knows of the records pushed so far (from the bulk answers)."""

    rng: random.Random
    versions: dict[tuple[str, uuid.UUID], int] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def known(self, record_type: str) -> list[uuid.UUID]:
        return [key[1] for key in self.versions if key[0] == record_type]

    def pick(self, record_type: str) -> uuid.UUID:
        known = self.known(record_type)
        return self.rng.choice(known) if known and self.rng.random() < 0.9 else uuid.uuid4()

    def base(self, record_type: str, record_id: uuid.UUID) -> int:
        version = self.versions.get((record_type, record_id), 1)
        return version if self.rng.random() < 0.6 else max(1, version - 1)


def _one_change(model: _Model, batch: list[dict[str, Any]]) -> dict[str, Any]:
    rng = model.rng
    kind = rng.choice(
        ["case"] * 3 + ["session"] * 4 + ["note"] * 2 + ["plan", "approve", "edit", "edit",
        "edit_case", "delete", "again", "bad", "future", "unknown_field"]
    )  # fmt: skip
    if kind == "case":
        return change("beneficiary", uuid.uuid4(), factories.beneficiary(None))
    if kind == "session":
        private = "psychologist_only" if rng.random() < 0.2 else "standard"
        fields = factories.follow_up_session(model.pick("beneficiary"), private)
        return change("follow_up_session", uuid.uuid4(), fields)
    if kind == "note":
        return change(
            "session_note", uuid.uuid4(), factories.session_note(model.pick("follow_up_session"))
        )
    if kind == "plan":
        return change("action_plan", uuid.uuid4(), factories.action_plan(model.pick("beneficiary")))
    if kind == "bad":
        return change(
            "action_plan",
            uuid.uuid4(),
            factories.action_plan(model.pick("beneficiary"), status="nonsense"),
        )
    if kind in ("approve", "edit", "edit_case", "delete", "future", "unknown_field"):
        record_type = {"approve": "action_plan", "edit_case": "beneficiary"}.get(
            kind, "follow_up_session"
        )
        known = model.known(record_type)
        if not known:
            return change("beneficiary", uuid.uuid4(), factories.beneficiary(None))
        record_id = rng.choice(known)
        base = model.base(record_type, record_id)
        if kind == "delete":
            return change(record_type, record_id, op="delete", base_version=base)
        fields: dict[str, Any] = {
            "approve": {"status": "approved", "approved_by_id": str(uuid.uuid4())},
            "edit": {"topic": rng.choice(["Housing", "Work", "Family", "Health"])},
            "edit_case": {"last_name": rng.choice(["Alaoui", "Bennani", "Tazi"])},
            "future": {"topic": "Newer", "mood_after": "calm"},  # a field of a newer version
            "unknown_field": {"Not A Field": 1},
        }[kind]
        return change(record_type, record_id, fields, base_version=base)
    earlier = batch + model.sent
    return (
        dict(rng.choice(earlier))
        if earlier
        else change("beneficiary", uuid.uuid4(), factories.beneficiary(None))
    )


def _answers(results: list[ChangeResult]) -> list[tuple[Any, ...]]:
    return [
        (r.change_id, r.status, r.version, r.conflict_id is None, r.error, r.permanent)
        for r in results
    ]


def test_random_batches_bulk_and_careful_alike(two_databases: list[Database]) -> None:
    bulk_db, careful_db = two_databases
    callers = [
        [_caller(database, role, n) for n, role in enumerate(ROLES)] for database in two_databases
    ]
    answers: dict[str, int] = {}
    for seed in SEEDS:
        model = _Model(random.Random(seed))
        for _ in range(BATCHES):
            batch: list[dict[str, Any]] = []
            for _ in range(model.rng.randint(20, 60)):
                batch.append(_one_change(model, batch))
            who = model.rng.randrange(len(ROLES))
            parsed = [Change.model_validate(c) for c in batch]
            results = []
            for database, bulk in ((bulk_db, True), (careful_db, False)):
                with database.session() as session:
                    results.append(
                        push.push(session, callers[bulk is False][who], parsed, bulk=bulk)
                    )
            assert _answers(results[0]) == _answers(results[1]), f"seed {seed}"
            for result, sent in zip(results[0], parsed, strict=True):
                answers[result.status] = answers.get(result.status, 0) + 1
                if result.version is not None:
                    key = (sent.record_type, sent.record_id)
                    model.versions[key] = max(model.versions.get(key, 0), result.version)
            model.sent.extend(batch)
    sent = {v for c in model.sent for v in c["fields"].values() if isinstance(v, str)}
    assert _stored(bulk_db, callers[0], sent) == _stored(careful_db, callers[1], sent)
    # The generator reached every kind of answer.
    assert {"applied", "merged", "conflict", "duplicate", "rejected"} <= answers.keys(), answers


def _stored(database: Database, callers: list[Caller], sent: set[str]) -> list[str]:
    """Every record and change-log row, read through the ORM, ids of the database's own
    making replaced by labels (conflict records numbered in sequence order), and times
    the server took from its clock (defaults of fields not pushed) by a mark."""
    with database.session() as session:
        records = session.scalars(select(Record).order_by(Record.seq)).all()
        labels: dict[str, str] = {}
        for n, caller in enumerate(callers):
            labels[str(caller.device_id)] = f"device-{n}"
            labels[str(caller.user_id)] = f"user-{n}"
            if caller.viewer.team_id is not None:
                labels[str(caller.viewer.team_id)] = "team"
        for n, record in enumerate(r for r in records if r.record_type == "sync_conflict"):
            labels[str(record.record_id)] = f"conflict-{n}"
        rows = [
            _row(r.record_type, r.record_id, r.version, r.data, r.field_versions, r.field_devices,
                 r.deleted, r.case_id, r.team_id, r.assigned_staff_id, r.restricted, r.seq)
            for r in records
        ]  # fmt: skip
        logs = session.execute(
            select(ChangeLog.change_id, ChangeLog.seq, ChangeLog.record_type, ChangeLog.record_id,
                   ChangeLog.version, ChangeLog.device_id, ChangeLog.result).order_by(ChangeLog.id)
        ).all()  # fmt: skip
        rows += [_row(*log) for log in logs]
    for record in records:
        assert isinstance(record.record_id, uuid.UUID) and isinstance(record.data, dict)
        assert isinstance(record.deleted, bool) and isinstance(record.restricted, bool)
    text = "\n".join(rows)
    for raw, label in labels.items():
        text = text.replace(raw, label)
    text = TIME.sub(lambda m: m[0] if m[0] in sent else "<server clock>", text)
    return text.splitlines()


def _row(*values: Any) -> str:
    return json.dumps(values, default=str, sort_keys=True, ensure_ascii=False)


def _caller(database: Database, role: str, number: int) -> Caller:
    passwords = Passwords.from_settings(database.settings)
    with database.session() as session:
        user = accounts.add_user(
            session, accounts.NewUser(f"random-{role}", "x" * 16, role, "Random"), passwords
        )
    device_id = uuid.uuid4()
    with database.session() as session, session.begin():
        session.add(Device(id=device_id, user_id=user.staff_id, name=role, token_hash=str(number)))
    return Caller(device_id, role, "active", user)


def test_a_batch_whose_bulk_write_fails_is_merged_the_careful_way(
    database_url: str | None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A row the merge could not foresee (here one taking the next sequence number
    behind the counter's back) fails the batch's INSERT: the batch goes again change by
    change, and nothing of the failed attempt stays in the session or the database."""
    with (
        fresh_postgres_database(postgres_admin_url())
        if database_url is not None
        else _no_url() as url
    ):
        database = migrated_database(tmp_path / "fallback", url)
        caller = _caller(database, "admin", 0)
        with database.session() as session, session.begin():
            last = max(session.scalars(select(Record.seq)).all())
            session.add(
                Record(record_type="partner", record_id=uuid.uuid4(), version=1,
                       data={"name": "In the way"}, field_versions={}, field_devices={},
                       deleted=False, restricted=False, seq=last + 1)
            )  # fmt: skip
        case = uuid.uuid4()
        batch = [
            change("beneficiary", case, factories.beneficiary(None)),
            change("follow_up_session", uuid.uuid4(), factories.follow_up_session(case)),
            change("session_note", uuid.uuid4(), factories.session_note(uuid.uuid4())),
        ]
        with database.session() as session:
            results = push.push(session, caller, [Change.model_validate(c) for c in batch])
        assert "batch merged change by change" in caplog.text
        assert [r.status for r in results] == ["applied", "applied", "rejected"]
        assert results[2].permanent is False  # its session is not on the server yet
        with database.session() as session:
            stored = session.scalars(select(Record).where(Record.case_id == case)).all()
            assert sorted(r.record_type for r in stored) == ["beneficiary", "follow_up_session"]
            assert len({r.seq for r in stored} | {last + 1}) == 3
        database.dispose()


@contextmanager
def _no_url() -> Iterator[None]:
    yield None
