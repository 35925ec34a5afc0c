"""``passerelle-server recovery ...``: the administration's recovery key and unsealing.

``init`` makes the key pair: the public key goes into the server's database, the
private key into a file protected by a passphrase, for the administration to keep
offline (a USB key in a safe), never on the server. ``unseal`` is run by an
administrator with that file to help one user: it writes a recovery file and prints a
one-time code to give the user by another channel (phone). The laptop re-keys its
database as soon as it is recovered, so neither is worth anything afterwards.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from passerelle_core.escrow import (
    EscrowError,
    generate_recovery_key,
    load_private_key,
    make_recovery_file,
    private_key_pem,
    public_key_text,
    unseal_key,
)
from server.commands import CommandError, open_database
from server.services import escrow

PASSPHRASE_ENV = "PASSERELLE_RECOVERY_PASSPHRASE"
MIN_PASSPHRASE_LENGTH = 12


def add_parsers(commands: Any, storage: argparse.ArgumentParser) -> None:
    recovery = commands.add_parser(
        "recovery", help="the administration's recovery key (forgotten passphrases)"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    init = recovery.add_parser(
        "init",
        parents=[storage],
        help="make the recovery key pair: public key on the server, private key in a file "
        f"(passphrase from a prompt or {PASSPHRASE_ENV})",
    )
    init.add_argument(
        "--private-key-out",
        type=Path,
        required=True,
        metavar="F",
        help="the private key file to write (never over an existing one); keep it offline",
    )
    set_key = recovery.add_parser(
        "set-public-key", parents=[storage], help="install a recovery public key made elsewhere"
    )
    set_key.add_argument("file", type=Path, metavar="FILE", help="base64 (32 bytes) or PEM")
    recovery.add_parser("show", parents=[storage], help="print the recovery public key")
    unseal = recovery.add_parser(
        "unseal",
        parents=[storage],
        help="write a recovery file for one device and print its one-time code",
    )
    unseal.add_argument("--device", required=True, metavar="ID", help="as shown by `device list`")
    unseal.add_argument(
        "--private-key", type=Path, required=True, metavar="F", help="the private key file"
    )
    unseal.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="F",
        help="the recovery file to write (never over an existing one)",
    )


def recovery_init(args: argparse.Namespace) -> int:
    out: Path = args.private_key_out
    if out.exists():
        raise CommandError(f"{out} already exists: choose another file")
    passphrase = _passphrase(confirm=True)
    private_key = generate_recovery_key()
    _write_private(out, private_key_pem(private_key, passphrase))
    with open_database(args).session() as session:
        installed = escrow.set_recovery_key(session, public_key_text(private_key))
    sys.stdout.write(
        f"recovery key {installed.key_id} installed; the private key is in {out}: keep it "
        "offline, with its passphrase, and remove it from this computer\n"
    )
    return 0


def recovery_set_public_key(args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="ascii", errors="replace")
    with open_database(args).session() as session:
        installed = escrow.set_recovery_key(session, text)
    sys.stdout.write(f"recovery key {installed.key_id} installed\n")
    return 0


def recovery_show(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        installed = escrow.recovery_key(session)
    if installed is None:
        raise CommandError("no recovery key: run `passerelle-server recovery init`")
    sys.stdout.write(f"{installed.key_id}\t{installed.public_key}\n")
    return 0


def recovery_unseal(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists():
        raise CommandError(f"{out} already exists: choose another file")
    pem = Path(args.private_key).read_bytes()
    database = open_database(args)
    with database.session() as session:
        device = escrow.escrowed_device(session, args.device)
    try:
        private_key = load_private_key(pem, _passphrase(confirm=False))
        key = unseal_key(device.sealed, private_key, device.device_id)
    except EscrowError as error:
        raise CommandError(str(error)) from None
    document, code = make_recovery_file(key, device.device_id)
    del key
    _write_private(out, document)
    with database.session() as session:
        escrow.mark_unsealed(session, device.device_id)
    sys.stdout.write(
        f"recovery file for device {device.device_id} ({device.username}, {device.device_name}) "
        f"written to {out}\n"
        f"one-time code (give it by phone, not with the file): {code}\n"
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "recovery init": recovery_init,
    "recovery set-public-key": recovery_set_public_key,
    "recovery show": recovery_show,
    "recovery unseal": recovery_unseal,
}


def _passphrase(*, confirm: bool) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if not value:
        if not sys.stdin.isatty():
            raise CommandError(f"no passphrase: use a terminal or {PASSPHRASE_ENV}")
        value = getpass.getpass("Recovery key passphrase: ")
        if confirm and getpass.getpass("Repeat the passphrase: ") != value:
            raise CommandError("the two passphrases differ")
    if confirm and len(value) < MIN_PASSPHRASE_LENGTH:
        raise CommandError(f"the passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters")
    return value


def _write_private(path: Path, data: bytes) -> None:
    """Created readable by its owner only, never over an existing file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
