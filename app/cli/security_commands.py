"""``passerelle recover``: a new passphrase for a forgotten one, with an administrator's help.

The administrator runs ``passerelle-server recovery unseal`` and gives the user a
recovery file and, by another channel, its one-time code. The code comes from
``PASSERELLE_RECOVERY_CODE`` or a prompt, the new passphrase from
``PASSERELLE_NEW_PASSPHRASE``, ``--new-passphrase-file`` or a prompt (typed twice): never
from an argument, which would show in the process list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.passphrase import read_passphrase
from app.cli.unlock import new_passphrase as read_strong_passphrase
from app.cli.unlock import open_profile
from app.i18n import _
from app.store.errors import RecoveryFailed
from app.store.recovery import recover as recover_profile
from app.sync import recovery_pin

CODE_ENV = "PASSERELLE_RECOVERY_CODE"
MAX_FILE_BYTES = 64 * 1024

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    add_pin_parser(commands, make_command)
    recover = make_command(
        commands, "recover", _("set a new passphrase with an administrator's recovery file")
    )
    recover.add_argument(
        "--recovery-file",
        type=Path,
        required=True,
        metavar="F",
        help=_(
            "the file the administrator gave (the code comes from PASSERELLE_RECOVERY_CODE "
            "or a prompt)"
        ),
    )
    recover.add_argument(
        "--new-passphrase-file",
        type=Path,
        metavar="F",
        help=_(
            "read the new passphrase from this file (else PASSERELLE_NEW_PASSPHRASE or a prompt)"
        ),
    )


def add_pin_parser(commands: Any, make_command: MakeCommand) -> None:
    pin = make_command(
        commands,
        "pin-recovery-key",
        _("set the recovery key this laptop escrows its key to (an administrator's act)"),
    )
    source = pin.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--fingerprint",
        metavar="FP",
        help=_("the key's fingerprint, as the administrator reads it"),
    )
    source.add_argument(
        "--public-key-file", type=Path, metavar="F", help=_("the administration's public key file")
    )
    pin.add_argument(
        "--replace",
        action="store_true",
        help=_("replace a recovery key already pinned (written to the access log)"),
    )


def pin_recovery_key(args: argparse.Namespace) -> int:
    if args.public_key_file is not None:
        value = recovery_pin.fingerprint_of_file(args.public_key_file)
    else:
        value = recovery_pin.fingerprint(args.fingerprint)
    with open_profile(args, check_in=False) as profile:
        changed = recovery_pin.pin(profile, value, replace=args.replace)
    message = (
        _("Recovery key {key} pinned.") if changed else _("Recovery key {key} already pinned.")
    )
    sys.stdout.write(message.format(key=value) + "\n")
    return 0


def recover(args: argparse.Namespace) -> int:
    try:
        with open(args.recovery_file, "rb") as handle:
            document = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raise RecoveryFailed(
            _("cannot read the recovery file {path}").format(path=args.recovery_file)
        ) from None
    code = read_passphrase(None, _("Recovery code: "), env=CODE_ENV)
    new_passphrase = read_strong_passphrase(args.new_passphrase_file)
    recover_profile(args.profile, document, code, new_passphrase)
    sys.stdout.write(
        _(
            "Passphrase replaced; the database was re-encrypted under a new key, so the "
            "recovery file is of no further use: delete it."
        )
        + "\n"
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "recover": recover,
    "pin-recovery-key": pin_recovery_key,
}
