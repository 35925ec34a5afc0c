"""A person's decision about two files that may be the same person.

Merging is never automatic: a person either merges the two files (the other one stays
as a tombstone, ``Beneficiary.merged_into_id``) or records that they are not the same
person, so the pair is not proposed again. The decision travels by sync, in the case
of the file kept (``beneficiary_id``), and names the other file in ``other_id``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, SyncedMixin, str_enum, utcnow


class DuplicateVerdict(StrEnum):
    NOT_DUPLICATE = "not_duplicate"
    MERGED = "merged"


class DuplicateDecision(SyncedMixin, Base):
    """Who decided what about a pair of files, when and why."""

    __tablename__ = "duplicate_decision"

    beneficiary_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("beneficiary.id"), index=True)
    # Plain UUID, no foreign key: the other file may be outside this laptop's scope.
    other_id: Mapped[uuid.UUID] = mapped_column(index=True)
    verdict: Mapped[DuplicateVerdict] = mapped_column(str_enum(DuplicateVerdict))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
