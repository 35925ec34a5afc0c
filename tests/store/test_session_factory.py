"""Every profile's session factory gets the flush pipeline and the live rule, always.

Profiles are opened and closed many times in one process (the test suite, a lock
screen, a re-key). SQLAlchemy's ``event.contains`` keys its registry by the target's
``id()`` and never forgets a class-level listener: asked whether a new factory already
had the pipeline, it said yes for a factory born at a closed profile's address, and
that profile captured nothing (its edits never reached the server, its access log
stayed empty) and showed deleted records. About one profile in twenty, at random: five
sync tests failed once on a clean clone.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import AccessAction, AccessLogEntry, Beneficiary
from app.services import beneficiaries, flush_pipeline, owner
from app.store import live
from app.store.profile import Profile
from app.sync.state import OUTBOX
from passerelle_core.enums import StaffRole

ATTEMPTS = 10_000


def _factory_where_a_dropped_one_was(engine: Engine) -> sessionmaker[Session]:
    """A new factory at the address of one that had everything installed, then died."""
    gone: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
    live.install(gone)
    flush_pipeline.install(gone)
    address = id(gone)
    del gone
    kept = []  # held, so that the allocator hands out its other free blocks in turn
    for _ in range(ATTEMPTS):
        candidate: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        if id(candidate) == address:
            return candidate
        kept.append(candidate)
    raise AssertionError("no new factory was made at the dropped one's address")


def test_a_factory_born_where_a_closed_one_was_captures_edits_and_hides_deletions(
    profile: Profile,
) -> None:
    factory = _factory_where_a_dropped_one_was(profile.engine)
    live.install(factory)
    flush_pipeline.install(factory)
    assert live.installed(factory) and flush_pipeline.installed(factory)
    owner.setup_owner(factory, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha")
    ctx = owner.owner_context(factory)

    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Youssef"})

    with profile.engine.connect() as connection:
        queued = connection.execute(
            select(OUTBOX.c.op).where(OUTBOX.c.record_id == person.id)
        ).all()
        logged = connection.execute(
            select(AccessLogEntry.action).where(AccessLogEntry.record_id == person.id)
        ).all()
    assert [row.op for row in queued] == ["upsert"]  # it will reach the server
    assert [row.action for row in logged] == [AccessAction.CREATE]
    beneficiaries.delete(ctx, person.id)
    with factory() as session:
        assert session.scalars(select(Beneficiary)).all() == []
        assert session.scalars(live.everything(select(Beneficiary))).all() != []


def test_installing_twice_registers_once(profile: Profile) -> None:
    """Idempotent: a second install adds no second outbox row per edit."""
    flush_pipeline.install(profile.sessions)
    live.install(profile.sessions)
    owner.setup_owner(
        profile.sessions, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    ctx = owner.owner_context(profile.sessions)
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Youssef"})
    with profile.engine.connect() as connection:
        logged = connection.execute(
            select(AccessLogEntry.seq).where(AccessLogEntry.record_id == person.id)
        ).all()
    assert len(logged) == 1
