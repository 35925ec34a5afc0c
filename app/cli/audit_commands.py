"""``passerelle audit verify`` and ``passerelle audit export``: the access log from the CLI.

``verify`` recomputes the profile's hash chain and exits non-zero naming the first entry
that does not hold; it needs the passphrase but no role (it reveals nothing).
``export`` writes the log to CSV for supervisors and administrators; the export is
itself recorded in the log.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.cli import unlock
from app.cli.outputs import add_force_option, prepare_file
from app.i18n import _, ngettext
from app.services import audit, owner
from app.services.errors import ServiceError
from app.store.profile import Profile

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    """``audit`` with its two actions, built with the parser's own ``_command`` helper."""
    summary = _("verify or export the access log")
    parser = commands.add_parser("audit", help=summary, description=summary)
    actions = parser.add_subparsers(dest="audit", metavar="ACTION", required=True)
    make_command(actions, "verify", _("check that no access log entry was removed or altered"))
    export = make_command(actions, "export", _("write the access log to a CSV file"))
    export.add_argument(
        "--out", type=Path, required=True, metavar="F", help=_("the .csv file to write")
    )
    add_force_option(export)
    export.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help=_("first day"))
    export.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help=_("last day"))


def run(args: argparse.Namespace) -> int:
    return verify(args) if args.audit == "verify" else export(args)


def verify(args: argparse.Namespace) -> int:
    with _open(args) as profile:
        checks = audit.verify(profile.engine)
    for device in checks:
        state = _("intact") if device.intact else _("broken")
        _emit(f"{device.device_id}\t{device.check.entries}\t{state}")
    broken = [device.check.broken for device in checks if device.check.broken is not None]
    if broken:
        raise ServiceError(
            _("The access log does not hold: {problem}.").format(
                problem=audit.break_message(broken[0])
            )
        )
    total = sum(device.check.entries for device in checks)
    _emit(
        ngettext(
            "The access log is intact ({count} entry).",
            "The access log is intact ({count} entries).",
            total,
        ).format(count=total)
    )
    return 0


def export(args: argparse.Namespace) -> int:
    wanted = audit.LogFilter(start=_date(args.start), end=_date(args.end))
    out = prepare_file(args.out, force=args.force, suffixes=(".csv",))
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        count = audit.export_csv(ctx, out, wanted)
    _emit(
        ngettext(
            "{count} entry written to {path}. This file is not encrypted: keep it safe.",
            "{count} entries written to {path}. This file is not encrypted: keep it safe.",
            count,
        ).format(count=count, path=args.out)
    )
    return 0


def _open(args: argparse.Namespace) -> Profile:
    return unlock.open_profile(args, check_in=False)  # the unlock is logged


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ServiceError(
            _("{value} is not a date: write it YYYY-MM-DD.").format(value=value)
        ) from None


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"audit": run}
