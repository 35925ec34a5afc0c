"""Where a command gets a passphrase: a file, the environment, or an interactive prompt."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from app.i18n import _

PASSPHRASE_ENV = "PASSERELLE_PASSPHRASE"
NEW_PASSPHRASE_ENV = "PASSERELLE_NEW_PASSPHRASE"


class PassphraseUnavailable(Exception):
    pass


def read_passphrase(
    file: Path | None,
    prompt: str,
    env: str = PASSPHRASE_ENV,
    option: str = "--passphrase-file",
) -> str:
    if file is not None:
        try:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError:
            raise PassphraseUnavailable(
                _("Cannot read the passphrase file {path}.").format(path=file)
            ) from None
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise PassphraseUnavailable(
            _("No passphrase: use a terminal, {env} or {option}.").format(env=env, option=option)
        )
    return getpass.getpass(prompt)


def read_new_passphrase(
    file: Path | None, env: str = NEW_PASSPHRASE_ENV, option: str = "--new-passphrase-file"
) -> str:
    """A new passphrase, typed twice when interactive."""
    if file is not None or os.environ.get(env):
        return read_passphrase(file, "", env=env, option=option)
    first = read_passphrase(None, _("New passphrase: "), env=env, option=option)
    second = getpass.getpass(_("Repeat the new passphrase: "))
    if first != second:
        raise PassphraseUnavailable(_("The two passphrases differ."))
    return first
