"""What an indicator is computed over: a period of days and a scope of beneficiaries.

Periods are inclusive calendar days, the way reports name them ("from 1 to 31
October"). A scope narrows the caseload by where a beneficiary is attached (facility,
team, assigned staff member); the default scope is the whole profile.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from app.i18n import _
from app.services.errors import ServiceError


class InvalidPeriod(ServiceError):
    """A period that ends before it starts."""


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriod(_("The period ends before it starts."))

    @classmethod
    def month(cls, day: date) -> Period:
        """The calendar month that contains ``day``."""
        first = day.replace(day=1)
        return cls(first, month_end(first))

    @classmethod
    def months_ending(cls, day: date, count: int) -> Period:
        """``count`` whole calendar months, the last one containing ``day``."""
        last = day.replace(day=1)
        return cls(add_months(last, 1 - count), month_end(last))

    def months(self) -> Iterator[date]:
        """The first day of each calendar month the period touches, in order."""
        month = self.start.replace(day=1)
        while month <= self.end:
            yield month
            month = add_months(month, 1)


@dataclass(frozen=True)
class Scope:
    """Whose caseload: beneficiaries attached to this facility, team and/or staff member.

    Each given criterion narrows the caseload; none given is the whole profile.
    """

    facility_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None

    @property
    def is_whole_profile(self) -> bool:
        return self.facility_id is None and self.team_id is None and self.staff_id is None


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), kept inside shorter months (31 -> 30)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def day_before(day: date) -> date:
    return day - timedelta(days=1)
