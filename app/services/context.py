"""Who is acting, on which profile: the first argument of every use case.

A transaction is one unit of work. Every synced row written in it is stamped with the
acting staff member; the sync engine hooks its change capture into the same flush, so
a change and its record in the outbox always commit together.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

import app.services.audit_capture  # noqa: F401  (every service edit is in the access log)
import app.sync.capture  # noqa: F401  (every service edit reaches the sync outbox)
from app.models.base import SyncedMixin
from app.models.enums import StaffRole
from app.services.errors import Busy
from app.store import writelock
from app.store.errors import DatabaseBusy

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


@event.listens_for(Session, "before_flush")
def _stamp_author(session: Session, _context: Any, _instances: Any) -> None:
    actor_id = session.info.get(ACTOR_KEY)
    if actor_id is None:
        return
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, SyncedMixin) and session.is_modified(instance):
            instance.updated_by_id = actor_id
