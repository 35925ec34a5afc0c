"""One's own agenda as an iCalendar file (.ics) for a phone or a desktop calendar.

A calendar leaves the encrypted store and is copied to servers nobody here controls, so
by default an event names the case by its short number only (``case_reference``): no
name, no purpose (a purpose often says why the person is followed). ``with_names``
puts the person's name and the purpose in, when the counsellor chooses it knowingly.
The export is recorded in the access log like every other export.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar, Event

from app.i18n import _
from app.models import AccessAction
from app.reports.files import write_bytes
from app.services import appointments, audit
from app.services.appointments import AgendaEntry
from app.services.context import ServiceContext
from passerelle_core.enums import AppointmentPlace, AppointmentStatus

PRODUCT = "-//Passerelle//Agenda//FR"
EXPORTED = (AppointmentStatus.PLANNED, AppointmentStatus.DONE, AppointmentStatus.MISSED)
"""Cancelled appointments are left out: nobody should go to them."""


def render_calendar(
    ctx: ServiceContext, first: date, last: date, *, with_names: bool = False
) -> bytes:
    """The actor's own appointments from ``first`` to ``last`` as iCalendar bytes."""
    entries = [e for e in appointments.agenda(ctx, first, last) if e.status in EXPORTED]
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    stamp = datetime.now(UTC)
    for entry in entries:
        calendar.add_component(_event(entry, stamp, with_names))
    return calendar.to_ical()


def write_calendar(
    ctx: ServiceContext, first: date, last: date, out: Path, *, with_names: bool = False
) -> int:
    """Write the agenda to ``out`` whole or not at all; the number of events written."""
    data = render_calendar(ctx, first, last, with_names=with_names)
    write_bytes(data, out)
    audit.record_access(ctx, AccessAction.EXPORT, "appointment")
    return data.count(b"BEGIN:VEVENT")


def _event(entry: AgendaEntry, stamp: datetime, with_names: bool) -> Event:
    event = Event()
    event.add("uid", f"{entry.id}@passerelle")
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.starts_at.astimezone(UTC))
    event.add("dtend", entry.ends_at.astimezone(UTC))
    summary = _("Appointment, case {reference}").format(reference=entry.case_reference)
    if with_names:
        summary = _("{label}: {value}").format(label=summary, value=entry.beneficiary_name)
        if entry.purpose:
            event.add("description", entry.purpose)
    event.add("summary", summary)
    place = _("Facility") if entry.place is AppointmentPlace.FACILITY else _("Office")
    event.add("location", place)
    if entry.status is AppointmentStatus.MISSED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event
