"""``passerelle agenda`` and ``passerelle appointment``: the agenda from the command line.

``agenda`` prints one appointment a line, tab-separated, for scripts and support staff
(start, status, place, beneficiary id, name, purpose, appointment id), or writes it as
an iCalendar file without names (``--ics``). ``appointment`` makes one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from app.cli import unlock
from app.cli.outputs import add_force_option, prepare_file
from app.cli.parser_base import identifier, positive_number
from app.i18n import _, ngettext
from app.services import appointments, owner
from app.services.errors import ServiceError
from app.store.profile import Profile
from passerelle_core.enums import AppointmentPlace

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]
DEFAULT_DAYS = 7
"""Without --from/--to: today and the six days after it."""


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    agenda = make_command(commands, "agenda", _("list your appointments (one a line)"))
    agenda.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help=_("first day"))
    agenda.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help=_("last day"))
    agenda.add_argument(
        "--team", action="store_true", help=_("the team's appointments (supervisors)")
    )
    agenda.add_argument(
        "--ics",
        type=str,
        metavar="F.ics",
        help=_("write your agenda as an iCalendar file, cases by number only"),
    )
    agenda.add_argument(
        "--with-names",
        action="store_true",
        help=_("put names and purposes in the .ics file (it is not encrypted)"),
    )
    add_force_option(agenda)

    make = make_command(commands, "appointment", _("make an appointment with a beneficiary"))
    make.add_argument(
        "--beneficiary",
        required=True,
        type=identifier,
        metavar="ID",
        help=_("the beneficiary's id (see search)"),
    )
    make.add_argument(
        "--at", required=True, metavar='"YYYY-MM-DD HH:MM"', help=_("day and local time")
    )
    make.add_argument("--purpose", metavar="TEXT", help=_("what the appointment is for"))
    make.add_argument(
        "--place",
        choices=[place.value for place in AppointmentPlace],
        default=AppointmentPlace.FACILITY.value,
        help=_("in the facility or at the office (default: facility)"),
    )
    make.add_argument("--minutes", type=positive_number, metavar="N", help=_("how long it lasts"))


def agenda(args: argparse.Namespace) -> int:
    from app.reports.calendar import write_calendar  # icalendar, when asked for

    first, last = _days(args.start, args.end)
    if args.with_names and args.ics is None:
        raise ServiceError(_("--with-names goes with --ics."))
    out = None if args.ics is None else prepare_file(args.ics, force=args.force, suffixes=(".ics",))
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if out is not None:
            count = write_calendar(ctx, first, last, out, with_names=args.with_names)
            _emit(
                ngettext(
                    "{count} appointment written to {path}.",
                    "{count} appointments written to {path}.",
                    count,
                ).format(count=count, path=out)
            )
            sys.stderr.write(
                _("This file is not encrypted: keep it safe, delete it once imported.") + "\n"
            )
            return 0
        entries = appointments.agenda(ctx, first, last, team=args.team)
    for entry in entries:
        fields = (
            f"{entry.starts_at:%Y-%m-%d %H:%M}",
            entry.status.value,
            entry.place.value,
            str(entry.beneficiary_id),
            entry.beneficiary_name,
            _one_line(entry.purpose),
            str(entry.id),
        )
        _emit("\t".join(fields))
    return 0


def appointment(args: argparse.Namespace) -> int:
    starts_at = _moment(args.at)
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        made = appointments.make_appointment(
            ctx,
            args.beneficiary,
            starts_at=starts_at,
            place=AppointmentPlace(args.place),
            purpose=args.purpose,
            duration_minutes=args.minutes,
        )
    _emit(
        _("Appointment made on {when} (case {reference}): {id}").format(
            when=f"{starts_at:%Y-%m-%d %H:%M}",
            reference=appointments.case_reference(args.beneficiary),
            id=made.id,
        )
    )
    return 0


def _days(start: str | None, end: str | None) -> tuple[date, date]:
    if start is None and end is None:
        today = date.today()
        return today, today + timedelta(days=DEFAULT_DAYS - 1)
    if start is None or end is None:
        raise ServiceError(_("Give both --from and --to, or neither."))
    first, last = _date(start), _date(end)
    if last < first:
        raise ServiceError(_("The last day comes before the first."))
    return first, last


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ServiceError(
            _("{value} is not a date: write it YYYY-MM-DD.").format(value=value)
        ) from None


def _moment(value: str) -> datetime:
    try:
        wall_clock = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ServiceError(
            _('{value} is not a day and time: write it "YYYY-MM-DD HH:MM".').format(value=value)
        ) from None
    return appointments.local_instant(wall_clock.date(), wall_clock.time())


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _open(args: argparse.Namespace) -> Profile:
    return unlock.open_profile(args, check_in=False)


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "agenda": agenda,
    "appointment": appointment,
}
