"""The clock and the column conventions both databases use (laptop and server tables).

``utcnow`` reads ``DeviceClock``: zero skew in use; tests set it to play a laptop whose
clock is days off. ``UTCDateTime`` keeps datetimes aware and in UTC on every backend.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlalchemy import DateTime, Dialect, TypeDecorator

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
