"""The command line's argument parser: its messages in the user's language, on one line.

argparse writes a usage block and an English error on two lines. :class:`CliParser`
writes one line (``passerelle COMMAND: message (see --help)``) and exits 2. argparse
builds its messages with the ``_`` and ``ngettext`` of its own module; they are pointed
at our catalogs (:data:`ARGPARSE_MESSAGES` lists the message ids we translate, the
others stay in English), so help screens and errors follow ``--lang`` too.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import NoReturn

from app.i18n import N_, _
from app.i18n import ngettext as _ngettext

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_WIPED = 3
EXIT_PARTIAL = 4
EXIT_INTERRUPTED = 130

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, N_("done")),
    (EXIT_ERROR, N_("the command failed (the message says why)")),
    (EXIT_USAGE, N_("wrong arguments (the message says which)")),
    (
        EXIT_WIPED,
        N_("the profile was erased (ordered by the server, or too many wrong passphrases)"),
    ),
    (EXIT_PARTIAL, N_("partial sync: some steps did not go through (the messages say which)")),
    (EXIT_INTERRUPTED, N_("interrupted (Ctrl+C)")),
)
"""Every exit code of ``passerelle``, as the README lists them."""

ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("unexpected option string: %s"),
)
_KNOWN = frozenset(ARGPARSE_MESSAGES)


def _translate(message: str) -> str:
    return _(message) if message in _KNOWN else message


def _translate_plural(singular: str, plural: str, count: int) -> str:
    if singular in _KNOWN:
        return _ngettext(singular, plural, count)
    return singular if count == 1 else plural


setattr(argparse, "_", _translate)  # noqa: B010 - argparse reads its module's "_" at call time
setattr(argparse, "ngettext", _translate_plural)  # noqa: B010


class CliParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        hint = _("see {command} --help").format(command=self.prog)
        program = self.prog.split()[0]
        sys.stderr.write(f"{program}: {message} ({hint})\n")
        sys.exit(EXIT_USAGE)


def whole_number(text: str) -> int:
    """An ``int`` argument whose refusal is a sentence in the user's language."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a whole number").format(value=text)
        ) from None


def positive_number(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("{value} must be at least 1").format(value=text))
    return value


def identifier(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not an identifier (a UUID)").format(value=text)
        ) from None
