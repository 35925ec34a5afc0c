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
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Dialect, Enum, MetaData, TypeDecorator, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class DeviceClock:
    """The laptop's clock as the application reads it.

    ``skew`` is zero in use. Tests set it to play a laptop whose clock is days off or
    in another time zone: nothing that orders changes may depend on it.
    """

    skew: ClassVar[timedelta] = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC) + DeviceClock.skew


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Passerelle stores aware UTC datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


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
