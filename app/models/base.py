"""Declarative base, column types and the metadata every synced record carries.

Every synced row has a UUID primary key (created offline, unique everywhere),
created/updated timestamps in UTC, who changed it last, soft deletion (a deletion
must travel through sync like any edit) and a row version that SQLAlchemy checks on
every UPDATE, so a stale in-memory edit can never silently overwrite a newer one.
The sync engine adds its own bookkeeping tables; rows here stay plain data.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# The clock and the column conventions live in the shared core (issue 14).
from passerelle_core.columns import NAMING_CONVENTION, UTCDateTime, utcnow
from passerelle_core.columns import DeviceClock as DeviceClock


def str_enum(enum_class: type[enum.Enum]) -> Enum:
    """Enums stored as their plain values in a VARCHAR, no CHECK constraint.

    New values can then be added without rebuilding SQLite tables, and the stored
    text is the same on the laptop, in the sync protocol and on the server.
    """
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(as_uuid=True),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class SyncedMixin:
    """Columns shared by every record that travels between laptops and the server."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Plain UUID, no foreign key: a change may arrive by sync before its author's record.
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    row_version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy passes the class
        return {"version_id_col": cls.__table__.c.row_version}  # type: ignore[attr-defined]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
