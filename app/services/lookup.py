"""Fetching a live (not soft-deleted) record, or a clear NotFound."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.orm import Session

from app.models.base import SyncedMixin
from app.services.errors import NotFound

Record = TypeVar("Record", bound=SyncedMixin)


def get_live(session: Session, model: type[Record], record_id: uuid.UUID, what: str) -> Record:
    """``what`` is the translated name of the record, shown in the error."""
    record = session.get(model, record_id)
    if record is None or record.deleted_at is not None:
        raise NotFound(what)
    return record
