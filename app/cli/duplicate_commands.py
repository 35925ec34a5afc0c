"""``passerelle duplicates``: likely duplicates listed, merged or dismissed.

Without an option, one pair a line, tab-separated, best first: score, the two ids, the
two names as registered, the reasons (joined by "; "); exit 0 with or without pairs.
``--merge KEEP_ID OTHER_ID [--reason TEXT]`` merges the second file into the first
(the kept file's values, completed by the other's where it has none: the app's merge
dialog picks field by field); ``--dismiss ID ID`` records that they are two people.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from app.cli import unlock
from app.cli.parser_base import identifier
from app.i18n import _
from app.services import duplicates, merging, owner
from app.services.errors import ServiceError

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    found = make_command(
        commands, "duplicates", _("list likely duplicate files (one pair a line), merge or dismiss")
    )
    found.add_argument(
        "--merge",
        nargs=2,
        type=identifier,
        metavar=("KEEP_ID", "OTHER_ID"),
        help=_("merge the second file into the first, which is kept"),
    )
    found.add_argument(
        "--dismiss",
        nargs=2,
        type=identifier,
        metavar=("ID", "ID"),
        help=_("record that the two files are two different people"),
    )
    found.add_argument("--reason", metavar="TEXT", help=_("why (kept with the decision)"))


def duplicates_command(args: argparse.Namespace) -> int:
    if args.merge is not None and args.dismiss is not None:
        raise ServiceError(_("Give --merge or --dismiss, not both."))
    if args.reason is not None and args.merge is None and args.dismiss is None:
        raise ServiceError(_("--reason goes with --merge or --dismiss."))
    with unlock.open_profile(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if args.merge is not None:
            keep_id, other_id = args.merge
            merging.merge(ctx, keep_id, other_id, reason=args.reason)
            _emit(_("{other} merged into {kept}.").format(other=other_id, kept=keep_id))
            return 0
        if args.dismiss is not None:
            first_id, second_id = args.dismiss
            duplicates.dismiss(ctx, first_id, second_id, reason=args.reason)
            _emit(
                _("{first} and {second} recorded as two different people.").format(
                    first=first_id, second=second_id
                )
            )
            return 0
        pairs = duplicates.likely_pairs(ctx)
        shown = list(dict.fromkeys(i for p in pairs for i in (p.first_id, p.second_id)))
        unlock.record_shown(profile, "beneficiary", shown)
    for pair in pairs:
        fields = (
            str(pair.score),
            str(pair.first_id),
            str(pair.second_id),
            _one_line(pair.first_name),
            _one_line(pair.second_name),
            "; ".join(pair.reasons),
        )
        _emit("\t".join(fields))
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "duplicates": duplicates_command,
}
