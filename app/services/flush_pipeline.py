"""The laptop's flush pipeline: what every unit of work does besides its own writes.

Registered on a profile's own session factory (:func:`install`, called when the
profile opens), never on SQLAlchemy's ``Session`` class: a process that imports the
models or the shared core (the server, a tool) gets no listener. In order:

- before the flush, every synced row created or changed is stamped with the acting
  staff member (``session.info[ACTOR_KEY]``);
- after the flush, each synced record created, changed or deleted is walked to its
  case once; its change goes to the sync outbox (:mod:`app.sync.capture`), the access
  (:mod:`app.services.audit_capture`) to the access log, and its type and case to the
  change notice of the transaction (:mod:`app.services.changes`);
- after the commit the notice is published; after a rollback it is dropped.

Pulled data is written under ``CAPTURE_OFF``: no outbox row, no access, no notice.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from app.models.base import SyncedMixin
from app.services import audit_capture, changes
from app.services.context import ACTOR_KEY
from app.sync import capture
from app.sync.records import CASE_LINKS

_INSTALLED: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()
"""The factories holding the pipeline. Not ``event.contains``: SQLAlchemy keys its
registry by the factory's ``id()`` and never forgets a class-level listener, so a new
profile's factory at a closed one's address passed for it and got no pipeline at all
(no outbox row, no access log entry: its edits never left the laptop)."""


def install(sessions: sessionmaker[Session]) -> None:
    """Register the pipeline on ``sessions`` (idempotent)."""
    capture.track_old_values()
    if sessions in _INSTALLED:
        return
    for name, listener in _LISTENERS:
        event.listen(sessions, name, listener)
    _INSTALLED.add(sessions)


def installed(sessions: sessionmaker[Session]) -> bool:
    return sessions in _INSTALLED


def _stamp_author(session: Session, _context: Any, _instances: Any) -> None:
    actor_id = session.info.get(ACTOR_KEY)
    if actor_id is None:
        return
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, SyncedMixin) and session.is_modified(instance):
            instance.updated_by_id = actor_id


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if session.info.get(capture.CAPTURE_OFF):
        return
    captured = capture.collect(session)
    if not captured:
        return
    connection = session.connection()
    walker = capture.CaseWalker(connection)
    for change in captured:  # each record's case, found once for the three consumers
        values = {**_link_hint(change), **change.hints, **change.fields}
        change.case_id = walker.case_of(change.record_type, change.record_id, values)
    capture.write_outbox(connection, captured, walker)
    changes.note(session, ((c.record_type, c.case_id) for c in captured))
    audit_capture.record_changes(session, captured)


def _link_hint(change: capture.Captured) -> dict[str, Any]:
    """The record's current link to its parent, read from the object (no query)."""
    link = CASE_LINKS.get(change.record_type)
    if link is None or change.instance is None:
        return {}
    if link[0] not in inspect(change.instance).mapper.columns:
        return {}
    return {link[0]: getattr(change.instance, link[0], None)}


_LISTENERS = (
    ("before_flush", _stamp_author),
    ("after_flush", _after_flush),
    ("after_commit", changes.publish_noted),
    ("after_rollback", changes.forget_noted),
)
