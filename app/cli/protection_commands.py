"""``passerelle retention preview|run`` and ``passerelle access-export``.

Retention acts as the profile's owner, with the periods of the last policy received from
the server: ``preview`` lists the closed cases past their period, ``run`` lists them
again and anonymises or purges exactly those. ``access-export`` writes everything held
on one person (PDF and JSON) into a folder, in one action.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import unlock
from app.cli.outputs import add_force_option, prepare_folder, refuse_existing
from app.i18n import _, ngettext
from app.reports.language import DOCUMENT_LANGUAGES
from app.security.permissions import Permission, require
from app.services import owner, retention
from app.services.errors import NotFound
from app.services.retention import DueCase
from app.store.profile import Profile

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    group = commands.add_parser(
        "retention",
        help=_("closed cases past their retention period"),
        description=_("closed cases past their retention period"),
    )
    steps = group.add_subparsers(dest="step", metavar="STEP", required=True)
    make_command(steps, "preview", _("list the cases the next run would anonymise or purge"))
    make_command(steps, "run", _("anonymise or purge the cases past their period"))
    export = make_command(
        commands, "access-export", _("export everything held on one person (PDF and JSON)")
    )
    export.add_argument(
        "--beneficiary", required=True, metavar="ID", help=_("the beneficiary's id (see search)")
    )
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help=_("the folder to write into (created if missing)"),
    )
    add_force_option(export)
    export.add_argument(
        "--lang",
        dest="document_language",
        choices=DOCUMENT_LANGUAGES,
        default="fr",
        help=_("language of the document"),
    )


def retention_command(args: argparse.Namespace) -> int:
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if args.step == "run":
            require(ctx, Permission.RUN_RETENTION)  # refused before any name is listed
        due = retention.preview(ctx)
        unlock.record_shown(profile, "beneficiary", [case.beneficiary_id for case in due])
        for case in due:
            _emit(_line(case))
        if args.step == "preview":
            _emit(
                ngettext("{count} case due.", "{count} cases due.", len(due)).format(count=len(due))
            )
            return 0
        report = retention.run(ctx, confirmed=[case.beneficiary_id for case in due])
    _emit(
        _("Retention: {anonymised}, {purged} ({records}).").format(
            anonymised=ngettext(
                "{count} case anonymised", "{count} cases anonymised", report.anonymised
            ).format(count=report.anonymised),
            purged=ngettext("{count} case purged", "{count} cases purged", report.purged).format(
                count=report.purged
            ),
            records=ngettext("{count} record", "{count} records", report.records).format(
                count=report.records
            ),
        )
    )
    return 0


def access_export(args: argparse.Namespace) -> int:
    from app.reports.subject_access import export_paths, export_subject_access  # reportlab

    try:
        beneficiary_id = uuid.UUID(args.beneficiary.strip())
    except ValueError:
        raise NotFound(_("Beneficiary")) from None
    folder = prepare_folder(args.out)
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        refuse_existing(export_paths(ctx, beneficiary_id, folder), force=args.force)
        written = export_subject_access(ctx, beneficiary_id, folder, args.document_language)
    _emit(_("Written: {pdf} and {json}.").format(pdf=written.pdf, json=written.json))
    if written.documents:
        _emit(
            ngettext(
                "{count} attached document written beside them.",
                "{count} attached documents written beside them.",
                len(written.documents),
            ).format(count=len(written.documents))
        )
    _emit(_("These files are not encrypted: hand them to the person, then delete them."))
    return 0


def _line(case: DueCase) -> str:
    action = _("anonymise") if case.action == "anonymise" else _("purge")
    return "\t".join(
        (
            str(case.beneficiary_id),
            case.closed_on.isoformat(),
            case.due_on.isoformat(),
            action,
            case.name,
        )
    )


def _open(args: argparse.Namespace) -> Profile:
    return unlock.open_profile(args, check_in=False)  # the unlock is logged


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "retention": retention_command,
    "access-export": access_export,
}
