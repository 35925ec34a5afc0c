"""The one rule of what is "live": not deleted, and for a person's file, not merged away.

Every ORM query run by a session of the profile sees live records only: a loader
criterion on every synced model, added at execution (SQLAlchemy's ``do_orm_execute``
with ``with_loader_criteria``), so no query has to repeat ``deleted_at IS NULL`` and
none can forget it when a second state ("merged") comes. Sync, retention, the right of
access export and erasure need every record: they ask for it explicitly with
:func:`everything` (or the ``ALL_RECORDS`` execution option). Lazy loads of a record's
relationships and refreshes of loaded objects are left alone: a live referral still
names its deleted partner.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria
from sqlalchemy.sql import Executable

from app.models.base import SyncedMixin
from app.models.beneficiary import Beneficiary

ALL_RECORDS = "passerelle_all_records"
"""Execution option: this statement sees deleted and merged-away records too."""

E = TypeVar("E", bound=Executable)


def everything(statement: E) -> E:
    """The statement with deleted and merged-away records included."""
    return statement.execution_options(**{ALL_RECORDS: True})


def _live(execute_state: ORMExecuteState) -> None:
    if (
        not execute_state.is_select
        or execute_state.is_column_load
        or execute_state.is_relationship_load
        or execute_state.execution_options.get(ALL_RECORDS, False)
    ):
        return
    execute_state.statement = execute_state.statement.options(
        with_loader_criteria(SyncedMixin, _not_deleted, include_aliases=True),
        with_loader_criteria(Beneficiary, _not_merged, include_aliases=True),
    )


def _not_deleted(cls: Any) -> Any:
    return cls.deleted_at.is_(None)


def _not_merged(cls: Any) -> Any:
    return cls.merged_into_id.is_(None)


_INSTALLED: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()
"""The factories with the rule. Not ``event.contains``, which keys by the factory's
``id()`` and never forgets: a new factory at a closed profile's address passed for it."""


def install(sessions: sessionmaker[Session]) -> None:
    """Sessions made by this factory see live records unless told otherwise."""
    if sessions not in _INSTALLED:
        event.listen(sessions, "do_orm_execute", _live)
        _INSTALLED.add(sessions)


def installed(sessions: sessionmaker[Session]) -> bool:
    return sessions in _INSTALLED
