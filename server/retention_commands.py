"""``passerelle-server retention show|set|run``: how long closed cases are kept.

``set`` changes the rule laptops receive with their policy at their next sync; ``run``
applies the rules to the server's copy (``--dry-run`` lists what it would do). Output
names cases by id only: the server's console is no place for a person's name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from passerelle_core.enums import CaseStatus, RetentionAction
from server.commands import open_database, positive_number
from server.services import retention


def add_parsers(commands: Any, storage: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "retention", help="how long closed cases are kept, and anonymising or purging them"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    group.add_parser("show", parents=[storage], help="list the retention rules")
    rule = group.add_parser(
        "set", parents=[storage], help="set the retention period of cases in one state"
    )
    rule.add_argument(
        "--state",
        required=True,
        choices=[s.value for s in CaseStatus],
        help="the closed state the rule applies to",
    )
    rule.add_argument(
        "--days",
        type=positive_number,
        required=True,
        metavar="N",
        help="days after closing",
    )
    rule.add_argument(
        "--action",
        dest="retention_action",
        required=True,
        choices=[a.value for a in RetentionAction],
        help="what happens then",
    )
    run = group.add_parser(
        "run", parents=[storage], help="anonymise or purge the cases past their period"
    )
    run.add_argument("--dry-run", action="store_true", help="list the cases, change nothing")


def retention_show(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        rules = retention.list_rules(session)
    _rows(("STATE", "DAYS", "ACTION"), [(r.case_state, str(r.days), r.action) for r in rules])
    return 0


def retention_set(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        rule = retention.set_rule(session, args.state, args.days, args.retention_action)
    sys.stdout.write(
        f"{rule.case_state} cases: {rule.action} {rule.days} days after closing "
        "(laptops apply it after their next sync)\n"
    )
    return 0


def retention_run(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        done = retention.run(session, date.today(), dry_run=args.dry_run)
    _rows(
        ("CASE ID", "CLOSED ON", "DUE ON", "ACTION"),
        [(str(c.case_id), c.closed_on.isoformat(), c.due_on.isoformat(), c.action) for c in done],
    )
    verb = "would be processed" if args.dry_run else "processed"
    sys.stdout.write(f"{len(done)} case(s) {verb}\n")
    return 0


def _rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    for row in [header, *rows]:
        sys.stdout.write("\t".join(row) + "\n")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "retention show": retention_show,
    "retention set": retention_set,
    "retention run": retention_run,
}
