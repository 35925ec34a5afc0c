"""``passerelle-server user reset-password | enable | unlock``: unsticking a user.

The new password comes from a prompt (typed twice) or ``PASSERELLE_PASSWORD``, never
from an argument (it would show in the process list).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from server.commands import open_database, read_password
from server.services import operators
from server.services.passwords import Passwords


def add_parsers(user: Any, storage: argparse.ArgumentParser) -> None:
    """The three actions, added to ``user``'s subparsers."""
    reset = user.add_parser(
        "reset-password",
        parents=[storage],
        help="give an account a new password (prompt or PASSERELLE_PASSWORD); lifts its lock",
    )
    reset.add_argument("username", metavar="USERNAME", help="the account's login")
    enable = user.add_parser("enable", parents=[storage], help="re-enable a disabled account")
    enable.add_argument("username", metavar="USERNAME", help="the account's login")
    unlock = user.add_parser(
        "unlock",
        parents=[storage],
        help="clear a login lock after too many wrong passwords",
    )
    unlock.add_argument("username", metavar="USERNAME", help="the account's login")
    unlock.add_argument(
        "--address", metavar="IP", help="also clear the lock of this client address"
    )


def user_reset_password(args: argparse.Namespace) -> int:
    password = read_password()
    database = open_database(args)
    with database.session() as session:
        username = operators.reset_password(
            session, args.username, password, Passwords.from_settings(database.settings)
        )
    sys.stdout.write(f"new password set for {username}; its login lock is lifted\n")
    return 0


def user_enable(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        username = operators.enable_user(session, args.username)
    sys.stdout.write(f"enabled user {username}\n")
    return 0


def user_unlock(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        cleared = operators.unlock_user(session, args.username, args.address)
    what = "login lock cleared" if cleared else "no login lock to clear"
    sys.stdout.write(f"{what} for {args.username}\n")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "user reset-password": user_reset_password,
    "user enable": user_enable,
    "user unlock": user_unlock,
}
