"""Who is acting, on which profile: the first argument of every use case.

A transaction is one unit of work. Every synced row written in it is stamped with the
acting staff member, reaches the sync outbox and the access log in the same flush (the
profile's flush pipeline, :mod:`app.services.flush_pipeline`), so a change and its
records always commit together.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.services.errors import Busy
from app.store import writelock
from app.store.errors import DatabaseBusy
from passerelle_core.enums import StaffRole

ACTOR_KEY = "passerelle.actor_id"


@dataclass(frozen=True)
class Actor:
    staff_id: uuid.UUID
    role: StaffRole
    team_id: uuid.UUID | None = None

    @property
    def is_psychologist(self) -> bool:
        return self.role is StaffRole.PSYCHOLOGIST

    @property
    def is_supervisor(self) -> bool:
        return self.role in {StaffRole.SUPERVISOR, StaffRole.ADMIN}


@dataclass
class ServiceContext:
    sessions: sessionmaker[Session]
    actor: Actor
    today: Callable[[], date] = field(default=date.today)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One operation, one transaction: committed on success, rolled back on error.

        It takes the write lock when it begins (waiting for a pull's commit group to end);
        a profile still busy after the wait is a :class:`Busy` refusal, nothing written.
        """
        try:
            with self.sessions.begin() as session:
                session.info[ACTOR_KEY] = self.actor.staff_id
                yield session
        except DatabaseBusy as error:
            raise Busy(str(error)) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit; nothing is flushed. Never waits for a writer (deferred BEGIN)."""
        bind = self.sessions.kw.get("bind")
        if isinstance(bind, Engine):
            bind = writelock.reading(bind)
        with self.sessions(bind=bind) as session:
            yield session
