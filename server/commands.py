"""What each ``passerelle-server`` command does; output goes to stdout, one row a line."""

from __future__ import annotations

import argparse
import copy
import getpass
import ipaddress
import os
import socket
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from passerelle_core.audit_protocol import ChainBreak
from server.core.db import Database
from server.core.settings import ServerSettings
from server.services import accounts, audit, devices
from server.services.passwords import Passwords

PASSWORD_ENV = "PASSERELLE_PASSWORD"
EXIT_USAGE = 2
KEEP_ALIVE_SECONDS = 60
"""An idle connection stays open this long (uvicorn's default is 5 s). Laptops reuse one
for 20 s at most (``app.sync.client.KEEPALIVE_SECONDS``): with the same 5 s on both sides,
a laptop busy writing pages sent its next request just as the server closed the
connection, and got a reset (issue 23, 50 laptops)."""


def positive_number(text: str) -> int:
    """An argument that must be a whole number of at least 1 (a port, workers)."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def prepare_out(out: Path, *, force: bool) -> Path:
    """``--out``: its folder created, an existing file refused unless ``--force``."""
    if out.is_dir():
        raise CommandError(f"{out} is a folder: give a file name")
    if out.exists() and not force:
        raise CommandError(f"{out} already exists: choose another name, or add --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


class CommandError(Exception):
    """A command that cannot run as asked: one line for the operator."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def settings_from(args: argparse.Namespace, **extra: Any) -> ServerSettings:
    """Arguments given on the command line win over ``PASSERELLE_SERVER_*`` variables."""
    given: dict[str, Any] = {key: value for key, value in extra.items() if value is not None}
    if args.data_dir is not None:
        given["data_dir"] = args.data_dir.expanduser().resolve()
    if args.database_url:
        given["database_url"] = args.database_url
    return ServerSettings(**given)


def open_database(args: argparse.Namespace) -> Database:
    database = Database(settings_from(args))
    database.migrate()
    return database


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    if (args.tls_cert is None) != (args.tls_key is None):
        raise CommandError("--tls-cert and --tls-key go together", EXIT_USAGE)
    for path in (args.tls_cert, args.tls_key):
        if path is not None and not path.is_file():
            raise CommandError(f"no such file: {path}", EXIT_USAGE)
    tls = args.tls_cert is not None
    if not tls and not _is_loopback(args.host) and not args.insecure_http:
        raise CommandError(
            f"refusing plain HTTP on {args.host}: device tokens and case files would cross "
            "the network unencrypted. Give --tls-cert and --tls-key, or --insecure-http "
            "if a TLS proxy in front of this server encrypts the traffic.",
            EXIT_USAGE,
        )
    if args.workers < 1:
        raise CommandError("--workers must be at least 1", EXIT_USAGE)
    _check_port_free(args.host, args.port)  # else uvicorn logs an error and exits with 3
    settings = settings_from(
        args,
        tls_cert=args.tls_cert.resolve() if tls else None,
        tls_key=args.tls_key.resolve() if tls else None,
    )
    database = Database(settings)
    try:
        database.migrate()
    finally:
        database.dispose()
    scheme = "https" if tls else "http"
    sys.stderr.write(
        f"passerelle-server: serving {scheme}://{args.host}:{args.port} "
        f"(database {database.safe_url})\n"
    )
    os.environ.update(settings.to_env())  # read back by server.asgi:app in every worker
    uvicorn.run(
        "server.asgi:app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        ssl_certfile=str(settings.tls_cert) if tls else None,
        ssl_keyfile=str(settings.tls_key) if tls else None,
        access_log=False,  # ours logs method, path and status only (server.api.middleware)
        log_config=_log_config(),
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    return 0


def user_add(args: argparse.Namespace) -> int:
    password = read_password()
    database = open_database(args)
    with database.session() as session:
        info = accounts.add_user(
            session,
            accounts.NewUser(
                username=args.username,
                password=password,
                role=args.role,
                team=args.team,
                full_name=args.full_name,
                facility=args.facility,
            ),
            Passwords.from_settings(database.settings),
        )
    sys.stdout.write(f"added user {info.username} (staff id {info.staff_id})\n")
    return 0


def user_list(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        rows = accounts.list_users(session)
    _table(
        ("USERNAME", "ROLE", "TEAM", "STATUS", "STAFF ID"),
        [
            (u.username, u.role, team or "-", "disabled" if u.disabled else "active", str(u.id))
            for u, team in rows
        ],
    )
    return 0


def user_disable(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        accounts.disable_user(session, args.username)
    sys.stdout.write(f"disabled user {accounts.normalise_username(args.username)}\n")
    return 0


def device_list(args: argparse.Namespace) -> int:
    with open_database(args).session() as session:
        rows = devices.list_devices(session)
    _table(
        ("DEVICE ID", "USER", "NAME", "STATUS", "ENROLLED", "LAST CONTACT"),
        [
            (
                str(d.id),
                username,
                d.name,
                d.status,
                d.created_at.isoformat(timespec="seconds"),
                d.last_seen_at.isoformat(timespec="seconds") if d.last_seen_at else "-",
            )
            for d, username in rows
        ],
    )
    return 0


def device_revoke(args: argparse.Namespace) -> int:
    status = "stolen" if args.stolen else "wipe" if args.wipe else "revoked"
    with open_database(args).session() as session:
        devices.set_device_status(session, args.device_id, status)
    sys.stdout.write(f"device {args.device_id} is now {status}\n")
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    """One line per chain; a broken chain is named on stderr and the exit code is 1."""
    device = _device_id(args.device) if args.device else None
    with open_database(args).session() as session:
        checks = audit.verify(session, device)
    if device is not None and not checks:
        raise CommandError(f"no access log held for device {device}")
    _table(
        ("DEVICE ID", "UPLOADED BY", "ENTRIES", "STATUS"),
        [
            (
                str(c.device_id),
                ",".join(sorted(str(u) for u in c.uploaded_by)),
                str(c.check.entries),
                _chain_status(c.check.broken, c.foreign_actors),
            )
            for c in checks
        ],
    )
    forged = [c for c in checks if c.foreign_actors]
    for c in forged:
        sys.stderr.write(
            f"access log of device {c.device_id}: {len(c.foreign_actors)} entry(ies) name "
            f"another staff member than the uploading account (first: {c.foreign_actors[0]})\n"
        )
    broken = [c for c in checks if c.check.broken is not None]
    if broken:
        first = broken[0].check.broken
        assert first is not None
        raise CommandError(
            f"access log of device {broken[0].device_id} broken at entry {first.seq} "
            f"({first.kind.value.replace('_', ' ')}); {len(broken)} chain(s) broken"
        )
    if forged:
        raise CommandError(f"{len(forged)} chain(s) hold entries in another account's name")
    return 0


def _chain_status(broken: ChainBreak | None, foreign: list[int] | None = None) -> str:
    if broken is not None:
        return f"broken at entry {broken.seq}"
    return f"foreign actor at entry {foreign[0]}" if foreign else "intact"


def audit_export(args: argparse.Namespace) -> int:
    device = _device_id(args.device) if args.device else None
    start = _day(args.start) if args.start else None
    end = _day(args.end) + timedelta(days=1) if args.end else None
    out = prepare_out(args.out, force=args.force)
    with open_database(args).session() as session:
        count = audit.export_csv(session, out, device, start, end)
    sys.stdout.write(f"{count} access log entries written to {args.out}\n")
    return 0


def _device_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise CommandError(f"{value!r} is not a device id", EXIT_USAGE) from None


def _day(value: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value.strip()), time(), tzinfo=UTC)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: write it YYYY-MM-DD", EXIT_USAGE) from None


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": serve,
    "user add": user_add,
    "user list": user_list,
    "user disable": user_disable,
    "device list": device_list,
    "device revoke": device_revoke,
    "audit verify": audit_verify,
    "audit export": audit_export,
}


def read_password() -> str:
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CommandError(f"no password: use a terminal or {PASSWORD_ENV}")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise CommandError("the two passwords differ")
    return first


def _check_port_free(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise CommandError(f"cannot resolve the address {host!r}", EXIT_USAGE) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CommandError(
                f"cannot listen on {host}:{port}: {error.strerror or 'address unavailable'}"
            ) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    for row in [header, *rows]:
        sys.stdout.write("\t".join(row) + "\n")


def _log_config() -> dict[str, Any]:
    """uvicorn's, plus ours: a plain formatter for the ``passerelle`` loggers, whose
    access line is written at every request (uvicorn's colourising one copies each
    record and cost about twice as much CPU a line, issue 23)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["plain"] = {"format": "%(levelname)s: %(message)s"}
    config["handlers"]["plain"] = {**config["handlers"]["default"], "formatter": "plain"}
    config["loggers"]["passerelle"] = {"handlers": ["plain"], "level": "INFO", "propagate": False}
    return config
