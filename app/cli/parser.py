"""The ``passerelle`` command line: arguments only, no behaviour."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import __version__
from app.cli import (
    agenda_commands,
    audit_commands,
    document_commands,
    duplicate_commands,
    protection_commands,
    report_commands,
    security_commands,
    selftest_command,
    sync_commands,
)
from app.cli.outputs import add_force_option
from app.cli.parser_base import CliParser, whole_number
from app.diagnostics.log import LEVELS
from app.i18n import _
from passerelle_core.enums import StaffRole


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="passerelle",
        description=_("Passerelle: case management for social reintegration staff."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"passerelle {__version__}",
        help=_("print the version and exit"),
    )
    parser.add_argument(
        "--demo", action="store_true", help=_("open a throwaway demo profile in the application")
    )
    parser.add_argument("--lang", choices=("fr", "ar", "en"), help=_("language of messages"))
    parser.add_argument(
        "--log-level",
        choices=LEVELS,
        default=None,
        help=_("detail of the support log (no personal data is ever written to it)"),
    )
    # For the bundle's test and the start-up benchmark: say "window shown" on stdout when
    # the main window is first painted, then close it.
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = _command(commands, "init", _("create a profile"))
    init.add_argument("--name", default=None, help=_("your full name"))
    init.add_argument(
        "--role",
        choices=[role.value for role in StaffRole],
        default=StaffRole.SOCIAL_WORKER.value,
        help=_("your role (default: social_worker)"),
    )
    init.add_argument("--facility", default=None, help=_("your facility"))

    demo = _command(commands, "demo", _("fill a profile with demo data (created if missing)"))
    demo.add_argument(
        "--beneficiaries",
        type=whole_number,
        default=200,
        metavar="N",
        help=_("how many beneficiaries (default: 200)"),
    )
    demo.add_argument(
        "--seed",
        type=whole_number,
        default=0,
        metavar="S",
        help=_("the same seed gives the same data (default: 0)"),
    )

    import_ = _command(commands, "import", _("import beneficiaries from a CSV or XLSX file"))
    import_.add_argument("file", type=Path, metavar="FILE", help=_("the .csv or .xlsx file"))
    import_.add_argument("--dry-run", action="store_true", help=_("validate only"))
    import_.add_argument(
        "--skip-invalid", action="store_true", help=_("import the valid rows, skip the others")
    )
    import_.add_argument(
        "--mapping",
        type=Path,
        metavar="F.json",
        help=_("which file column fills which field (see docs/import-format.md)"),
    )
    import_.add_argument(
        "--write-mapping",
        type=Path,
        metavar="F.json",
        help=_("write the mapping used (proposed or read) to this file"),
    )
    import_.add_argument(
        "--duplicates",
        choices=("flag", "skip", "link"),
        default="flag",
        help=_(
            "rows likely to be a person already known: import and flag them (default), "
            "skip them, or link them (complete the file they match, empty fields only)"
        ),
    )

    search = _command(commands, "search", _("search beneficiaries"))
    search.add_argument(
        "query", metavar="QUERY", help=_("name (either script), CIN or file number")
    )
    search.add_argument(
        "--limit",
        type=whole_number,
        default=50,
        metavar="N",
        help=_("at most N results (default: 50)"),
    )

    _command(commands, "stats", _("print record counts per table"))
    _command(commands, "check", _("verify the profile's integrity"))

    passwd = _command(commands, "passwd", _("change the passphrase"))
    passwd.add_argument(
        "--new-passphrase-file",
        type=Path,
        metavar="F",
        help=_(
            "read the new passphrase from this file (else PASSERELLE_NEW_PASSPHRASE or a prompt)"
        ),
    )
    _command(commands, "rekey", _("re-encrypt the whole database under a new key"))

    backup = _command(commands, "backup", _("write an encrypted backup of the profile"))
    backup.add_argument(
        "--out", type=Path, required=True, metavar="F", help=_("the backup file to write")
    )
    add_force_option(backup)
    restore = _command(commands, "restore", _("restore a profile from a backup"))
    restore.add_argument("file", type=Path, metavar="F", help=_("the backup file"))
    sync_commands.add_parsers(commands, _command)
    report_commands.add_parsers(commands, _command)
    protection_commands.add_parsers(commands, _command)
    audit_commands.add_parsers(commands, _command)
    security_commands.add_parsers(commands, _command)
    agenda_commands.add_parsers(commands, _command)
    document_commands.add_parsers(commands, _command)
    duplicate_commands.add_parsers(commands, _command)
    selftest_command.add_parser(commands)
    return parser


def _command(
    commands: argparse._SubParsersAction[CliParser], name: str, summary: str
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, help=summary, description=summary)
    command.add_argument(
        "--profile", type=Path, required=True, metavar="DIR", help=_("the profile's folder")
    )
    command.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="F",
        help=_("read the passphrase from this file (else PASSERELLE_PASSPHRASE or a prompt)"),
    )
    return command
