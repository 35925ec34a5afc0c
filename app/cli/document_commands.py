"""``passerelle documents`` and ``passerelle transfer``: case documents and case transfers.

``documents`` lists a case's documents (one a line, tab-separated), attaches a file
(``--attach``) or writes one out (``--extract``, which, like every file leaving the
encrypted store, never replaces a file unasked and says the copy is not protected).
``transfer`` hands cases to another counsellor (``--to-staff USERNAME``) or team
(``--to-team TEAM``) with a reason.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from app.cli import unlock
from app.cli.outputs import add_force_option, prepare_file
from app.i18n import _, ngettext
from app.services import documents, owner, transfers
from app.services.errors import NotFound, ServiceError
from app.store.profile import Profile
from passerelle_core.enums import DocumentKind

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    docs = make_command(commands, "documents", _("list, attach or extract a case's documents"))
    docs.add_argument(
        "--beneficiary", required=True, metavar="ID", help=_("the beneficiary's id (see search)")
    )
    action = docs.add_mutually_exclusive_group()
    action.add_argument(
        "--attach", type=Path, metavar="FILE", help=_("attach this PDF, JPEG or PNG file")
    )
    action.add_argument(
        "--extract", metavar="DOC_ID", help=_("write this document's content to --out")
    )
    docs.add_argument(
        "--type",
        dest="kind",
        choices=[kind.value for kind in DocumentKind],
        help=_("what the attached document is"),
    )
    docs.add_argument("--date", metavar="YYYY-MM-DD", help=_("the document's date"))
    docs.add_argument("--note", metavar="TEXT", help=_("a note about the document"))
    docs.add_argument("--out", type=Path, metavar="F", help=_("the file to write"))
    add_force_option(docs)

    transfer = make_command(commands, "transfer", _("transfer cases to another counsellor or team"))
    target = transfer.add_mutually_exclusive_group(required=True)
    target.add_argument("--to-staff", metavar="USERNAME", help=_("the counsellor's username"))
    target.add_argument("--to-team", metavar="TEAM", help=_("the team's name or id"))
    transfer.add_argument(
        "ids", nargs="+", metavar="ID", help=_("the beneficiaries' ids (see search)")
    )
    transfer.add_argument("--reason", required=True, metavar="TEXT", help=_("why"))


def documents_command(args: argparse.Namespace) -> int:
    beneficiary_id = _uuid(args.beneficiary, _("Beneficiary"))
    if args.attach is not None and args.kind is None:
        raise ServiceError(_("Give the document's --type."))
    out = None
    if args.extract is not None:
        if args.out is None:
            raise ServiceError(_("Give the file to write with --out."))
        out = prepare_file(args.out, force=args.force)
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if args.attach is not None:
            made = documents.attach(
                ctx,
                beneficiary_id,
                args.attach,
                DocumentKind(args.kind),
                _date(args.date),
                args.note,
            )
            _emit(_("Document attached: {id}.").format(id=made.id))
            return 0
        if out is not None:
            document_id = _uuid(args.extract, _("Document"))
            if documents.get(ctx, document_id).beneficiary_id != beneficiary_id:
                raise NotFound(_("Document"))
            written = documents.extract(ctx, document_id, out)
            _emit(_("Document written to {path}.").format(path=written))
            sys.stderr.write(_("This file is not encrypted: keep it safe.") + "\n")
            return 0
        rows = documents.list_for(ctx, beneficiary_id)
        unlock.record_shown(profile, "case_document", [row.id for row in rows])
    for row in rows:
        document = row.document
        _emit(
            "\t".join(
                (
                    str(document.id),
                    document.kind.value,
                    document.document_date.isoformat() if document.document_date else "",
                    document.media_type,
                    str(document.size),
                    _("held") if row.held else _("waiting for sync"),
                    (document.note or "").replace("\t", " ").replace("\n", " "),
                )
            )
        )
    return 0


def transfer_command(args: argparse.Namespace) -> int:
    case_ids = [_uuid(value, _("Beneficiary")) for value in args.ids]
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if args.to_staff is not None:
            staff = transfers.staff_by_username(ctx, args.to_staff)
            made = transfers.transfer(ctx, case_ids, reason=args.reason, to_staff_id=staff.id)
        else:
            team = transfers.team_by_name(ctx, args.to_team)
            made = transfers.transfer(ctx, case_ids, reason=args.reason, to_team_id=team.id)
    _emit(
        ngettext(
            "{count} case transferred; already there: {left}.",
            "{count} cases transferred; already there: {left}.",
            len(made),
        ).format(count=len(made), left=len(set(case_ids)) - len(made))
    )
    return 0


def _open(args: argparse.Namespace) -> Profile:
    return unlock.open_profile(args, check_in=False)  # the unlock is logged


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise NotFound(what) from None


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ServiceError(
            _("{value} is not a date: write it YYYY-MM-DD.").format(value=value)
        ) from None


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "documents": documents_command,
    "transfer": transfer_command,
}
