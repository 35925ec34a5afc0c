"""Entry point of ``passerelle``: every error ends as one clear line and a non-zero exit."""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from app.cli.commands import COMMANDS
from app.cli.parser import build_parser
from app.cli.parser_base import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_WIPED
from app.cli.passphrase import PassphraseUnavailable
from app.diagnostics import log
from app.diagnostics.report import describe
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, set_language
from app.services.errors import ServiceError
from app.store.errors import KeyDestroyed, ProfileErased, StoreError

OS_ERRORS = {
    errno.ENOENT: N_("No such file or folder"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Permission denied"),
    errno.ENOSPC: N_("No space left on the disk"),
    errno.EISDIR: N_("This is a folder, not a file"),
    errno.ENOTDIR: N_("This is a file, not a folder"),
    errno.EEXIST: N_("This already exists"),
    errno.EROFS: N_("The disk is read-only"),
}
"""System errors in the user's language (the system's own text is English)."""


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(arguments))
    args = build_parser().parse_args(arguments)
    if args.command is None or args.log_level is not None:
        # The application always keeps a support log; a command only when asked.
        log.configure(args.log_level or log.DEFAULT_LEVEL)
    if args.command is None:
        if args.exit_when_shown:
            from app.cli.startup_probe import exit_when_shown

            exit_when_shown()
        from app.views.launcher import run_gui

        return run_gui(demo=args.demo)
    try:
        return COMMANDS[args.command](args)
    except (ProfileErased, KeyDestroyed) as error:
        return _fail(str(error), EXIT_WIPED)
    except (StoreError, ServiceError, PassphraseUnavailable) as error:
        return _fail(str(error))
    except DBAPIError as error:
        return _fail(_("Database error: {reason}").format(reason=error.orig))
    except OSError as error:
        return _fail(os_error_message(error))
    except KeyboardInterrupt:
        return _fail(_("Interrupted."), EXIT_INTERRUPTED)
    except Exception as error:  # a bug: one line naming its kind, never a traceback
        log.logger.error(describe(error, f"command {args.command}"))
        return _fail(
            _("Unexpected error ({kind}): please report it.").format(kind=type(error).__name__)
        )


def os_error_message(error: OSError) -> str:
    known = OS_ERRORS.get(error.errno or 0)
    reason = _(known) if known else _("System error {number}").format(number=error.errno)
    if error.filename:
        return _("{reason}: {path}").format(reason=reason, path=error.filename)
    return reason


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    sys.stderr.write(f"passerelle: {message}\n")
    return code


def _language_from(arguments: list[str]) -> str:
    """The language is needed before argparse prints help or errors.

    Only options before the command count: after it, ``--lang`` is a document's language
    (``report plan --lang ar`` prints in Arabic, the messages stay in French).
    """
    for index, argument in enumerate(arguments):
        if argument in COMMANDS:
            break
        candidate = None
        if argument == "--lang" and index + 1 < len(arguments):
            candidate = arguments[index + 1]
        elif argument.startswith("--lang="):
            candidate = argument.split("=", 1)[1]
        if candidate is not None:
            return candidate if candidate in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
