"""Change notifications: every committed operation and every pull says what it changed.

Anki's operations are the model: a change carries the record types it touched and the
cases (beneficiary ids) they belong to, so a screen decides cheaply whether it must
read again. Publishers: service transactions (the sync change capture notes each
record it queues, see :func:`note`; the notice goes out after the commit, never for a
rollback) and the pull (after each commit group). Subscribers are called on the
publishing thread: the desktop relays them to the GUI thread (``app.views.change_relay``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

logger = logging.getLogger("passerelle.changes")
LOCAL = "local"
PULL = "pull"
_NOTED = "passerelle.changes"


@dataclass(frozen=True)
class Changes:
    """What one operation or one pull changed in one profile's database."""

    database: str  # the profile's database file: several profiles may be open in tests
    record_types: frozenset[str]
    case_ids: frozenset[uuid.UUID] = frozenset()
    source: str = LOCAL
    cases_removed: bool = False  # cases left this laptop (scope): lists must read again

    def touches_case(self, case_id: uuid.UUID) -> bool:
        return case_id in self.case_ids or self.cases_removed


Listener = Callable[[Changes], None]


@dataclass
class ChangeBus:
    _listeners: list[Listener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: Changes) -> None:
        if not changes.record_types and not changes.cases_removed:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception:  # a screen's fault must not undo a committed operation
                logger.exception("change listener failed")


BUS = ChangeBus()


def note(session: Session, items: Iterable[tuple[str, uuid.UUID | None]]) -> None:
    """Remember (record type, case id) pairs written in ``session``'s transaction."""
    noted: dict[str, Any] = session.info.setdefault(_NOTED, {"types": set(), "cases": set()})
    for record_type, case_id in items:
        noted["types"].add(record_type)
        if case_id is not None:
            noted["cases"].add(case_id)


def publish_noted(session: Session) -> None:
    """After a commit: publish what the transaction wrote (the flush pipeline calls it)."""
    noted = session.info.pop(_NOTED, None)
    if not noted:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    database = str(engine.url.database or "")
    BUS.publish(Changes(database, frozenset(noted["types"]), frozenset(noted["cases"])))


def forget_noted(session: Session) -> None:
    """After a rollback: nothing was written, nothing is published."""
    session.info.pop(_NOTED, None)
