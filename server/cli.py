"""``passerelle-server``: serve the sync API and administer accounts and devices.

Every error is one line on stderr and a non-zero exit, never a traceback. The data
directory defaults to the platform's user data folder (``PasserelleServer``, e.g.
``~/.local/share/PasserelleServer`` on Linux), or ``./server-data`` without a home.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from server import account_commands, recovery_commands, retention_commands
from server.commands import COMMANDS, CommandError, positive_number
from server.core.db import UnsupportedDatabase
from server.core.settings import ENV_PREFIX
from server.services.accounts import ROLES
from server.services.errors import ServiceError

SUPPORTED_URLS = "sqlite:///FILE or postgresql+psycopg://user:pw@host/db"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_CODES = (
    (0, "done"),
    (EXIT_ERROR, "the command failed (the message says why)"),
    (EXIT_USAGE, "wrong arguments or settings (the message says which)"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl+C)"),
)


class ServerParser(argparse.ArgumentParser):
    """Errors on one line, ``passerelle-server: ...``, exit code 2 (argparse writes two)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"passerelle-server: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    storage = ServerParser(add_help=False)
    storage.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where the server keeps its files (default: the user data folder "
        "PasserelleServer, or ./server-data)",
    )
    storage.add_argument(
        "--database-url",
        metavar="URL",
        help="e.g. postgresql+psycopg://user:password@host/db (default: SQLite in the data dir)",
    )
    parser = ServerParser(prog="passerelle-server", description="The Passerelle sync server.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", parents=[storage], help="run the sync API")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    serve.add_argument(
        "--port", type=positive_number, default=8000, help="port to listen on (default: 8000)"
    )
    serve.add_argument(
        "--workers",
        type=positive_number,
        default=1,
        metavar="N",
        help="worker processes (default: 1)",
    )
    serve.add_argument("--tls-cert", type=Path, metavar="F", help="PEM certificate (chain)")
    serve.add_argument("--tls-key", type=Path, metavar="F", help="PEM private key")
    serve.add_argument(
        "--insecure-http",
        action="store_true",
        help="allow plain HTTP on a non-loopback address (only behind a TLS proxy)",
    )

    user = commands.add_parser("user", help="manage accounts").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add = user.add_parser(
        "add",
        parents=[storage],
        help="add an account (password from a prompt or PASSERELLE_PASSWORD)",
    )
    add.add_argument("username", metavar="USERNAME", help="the login, without spaces")
    add.add_argument("--role", required=True, choices=ROLES, help="what the account may do")
    add.add_argument(
        "--team",
        required=True,
        metavar="KEY",
        help="the team's stable key (a new team of that name if new) or its id; "
        "never matched by display name",
    )
    add.add_argument("--full-name", metavar="N", help="the name colleagues see (default: USERNAME)")
    add.add_argument("--facility", metavar="F", help="facility code or name (created if new)")
    user.add_parser("list", parents=[storage], help="list accounts")
    disable = user.add_parser("disable", parents=[storage], help="disable an account")
    disable.add_argument("username", metavar="USERNAME", help="the account's login")
    account_commands.add_parsers(user, storage)

    device = commands.add_parser("device", help="manage enrolled laptops").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    device.add_parser(
        "list", parents=[storage], help="list devices, with their status and last contact"
    )
    revoke = device.add_parser(
        "revoke", parents=[storage], help="revoke a device (or order it to wipe itself)"
    )
    revoke.add_argument("device_id", metavar="DEVICE_ID", help="as shown by `device list`")
    how = revoke.add_mutually_exclusive_group()
    how.add_argument(
        "--wipe", action="store_true", help="let it push its pending work, then erase itself"
    )
    how.add_argument(
        "--stolen", action="store_true", help="accept nothing from it and order it to erase itself"
    )

    audit = commands.add_parser("audit", help="the laptops' access logs").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    verify = audit.add_parser("verify", parents=[storage], help="verify every access log chain")
    verify.add_argument("--device", metavar="ID", help="one laptop's chain (or enrolled device)")
    export = audit.add_parser("export", parents=[storage], help="write the access logs to CSV")
    export.add_argument(
        "--out", type=Path, required=True, metavar="F", help="the .csv file to write"
    )
    export.add_argument(
        "--force", action="store_true", help="replace the file if it already exists"
    )
    export.add_argument("--device", metavar="ID", help="one laptop's chain (or enrolled device)")
    export.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (UTC)")
    export.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (UTC)")
    recovery_commands.add_parsers(commands, storage)
    retention_commands.add_parsers(commands, storage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = args.command if args.command == "serve" else f"{args.command} {args.action}"
    try:
        return every_command()[name](args)
    except ValidationError as error:
        return _fail(settings_message(error), EXIT_USAGE)
    except (ServiceError, CommandError) as error:
        return _fail(str(error), getattr(error, "exit_code", EXIT_ERROR))
    except DBAPIError as error:
        first_line = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
        return _fail(f"database error: {type(error.orig).__name__} {first_line}".strip())
    except (ArgumentError, NoSuchModuleError, UnsupportedDatabase):
        return _fail(f"invalid --database-url: use {SUPPORTED_URLS}")
    except ImportError as error:
        if not _is_database_driver(error):
            return _fail(f"unexpected error ({type(error).__name__}): please report it")
        return _fail(f"database driver not installed ({error.name}): use {SUPPORTED_URLS}")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _fail(f"{reason}: {error.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except Exception as error:  # a bug: one line naming its kind, never a traceback
        return _fail(f"unexpected error ({type(error).__name__}): please report it")


def _is_database_driver(error: ImportError) -> bool:
    """Raised while SQLAlchemy loaded the URL's driver, not by a broken install of ours."""
    frames = traceback.extract_tb(error.__traceback__)
    return any(f"sqlalchemy{os.sep}dialects{os.sep}" in frame.filename for frame in frames)


def every_command() -> dict[str, Callable[[argparse.Namespace], int]]:
    return {
        **COMMANDS,
        **account_commands.COMMANDS,
        **recovery_commands.COMMANDS,
        **retention_commands.COMMANDS,
    }


def settings_message(error: ValidationError) -> str:
    """``PASSERELLE_SERVER_LOGIN_WINDOW_SECONDS=15m``: which variable, and what it wants."""
    problems = []
    for problem in error.errors():
        field = "_".join(str(part) for part in problem.get("loc", ())).upper()
        problems.append(f"{ENV_PREFIX}{field}: {problem.get('msg', 'invalid')}")
    return "invalid setting " + "; ".join(problems)


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    sys.stderr.write(f"passerelle-server: {message}\n")
    return code
