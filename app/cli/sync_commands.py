"""``passerelle enrol``, ``sync`` and ``conflicts``: the sync client on the command line.

The server password comes from ``PASSERELLE_PASSWORD`` or a prompt, never from an
argument (it would show in the process list). Errors are ``ServiceError``s: the entry
point prints them as one line and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from app.cli import unlock
from app.cli.parser_base import identifier
from app.cli.passphrase import read_passphrase
from app.i18n import _, ngettext
from app.labels import label
from app.services import conflicts, owner, sync_status
from app.services.errors import ServiceError
from app.store.profile import Profile, is_profile
from app.sync import engine, outbox
from app.sync.errors import ServerUnavailable
from passerelle_core.enums import StaffRole

PASSWORD_ENV = "PASSERELLE_PASSWORD"
EXIT_WIPED = 3
EXIT_PARTIAL = 4  # some steps of the sync did not go through: the output says which

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    """The three sync subcommands, built with the parser's own ``_command`` helper."""
    enrol_parser = make_command(commands, "enrol", _("enrol this profile with a sync server"))
    enrol_parser.add_argument(
        "--server", required=True, metavar="URL", help=_("the server's address (https://...)")
    )
    enrol_parser.add_argument(
        "--user",
        required=True,
        metavar="U",
        help=_("your account on the server (password: PASSERELLE_PASSWORD or a prompt)"),
    )
    enrol_parser.add_argument(
        "--ca-file",
        type=Path,
        metavar="F",
        help=_("the certificate authority to trust for this server (PEM)"),
    )
    enrol_parser.add_argument(
        "--device-name", metavar="N", help=_("this laptop's name on the server (default: its own)")
    )
    sync_parser = make_command(commands, "sync", _("send local changes and receive the server's"))
    sync_parser.add_argument(
        "--confirm-removals",
        action="store_true",
        help=_("let through a removal of many cases that the fail-safe stopped"),
    )
    sync_parser.add_argument(
        "--resend-refused",
        action="store_true",
        help=_("send again the changes the server refused (after it was updated)"),
    )
    listing = make_command(commands, "conflicts", _("list open sync conflicts"))
    listing.add_argument(
        "--resolve", type=identifier, metavar="ID", help=_("the conflict to resolve")
    )
    listing.add_argument(
        "--choose",
        choices=("kept", "other"),
        default=None,
        help=_("with --resolve: keep the value kept here, or the other one"),
    )


def _emit(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _open(args: argparse.Namespace) -> Profile:
    return unlock.open_profile(args)  # reaches the server if overdue; the unlock is logged


def enrol(args: argparse.Namespace) -> int:
    folder = Path(args.profile)
    created = not is_profile(folder)
    if created:
        passphrase = unlock.new_profile_passphrase(args.passphrase_file)
        password = read_passphrase(None, _("Server password: "), env=PASSWORD_ENV)
        existed = folder.exists()
        profile = Profile.create(folder, passphrase)
    else:
        profile = _open(args)
        password = read_passphrase(None, _("Server password: "), env=PASSWORD_ENV)
    try:
        with profile:
            outcome = engine.enrol_with_outcome(
                profile,
                args.server,
                args.user,
                password,
                args.device_name or socket.gethostname() or "laptop",
                ca_file=args.ca_file,
            )
    except BaseException as error:
        if created:
            _discard(folder, existed)  # a failed enrolment leaves no new profile behind
        if isinstance(error, ServerUnavailable):
            raise ServiceError(_not_enrolled(created, _("the server cannot be reached"))) from None
        raise
    user = outcome.user
    _emit(
        _("Enrolled as {name} ({role}). Run `passerelle sync` to receive your cases.").format(
            name=user.full_name, role=_role(user.role)
        )
    )
    if outcome.adopted:
        _emit(
            ngettext(
                "The work done on this laptop before enrolment now belongs to this account: "
                "{count} record will be sent at the next sync.",
                "The work done on this laptop before enrolment now belongs to this account: "
                "{count} records will be sent at the next sync.",
                outcome.queued,
            ).format(count=outcome.queued)
        )
    elif outcome.queued:
        _emit(
            ngettext(
                "{count} record will be sent again to this server at the next sync.",
                "{count} records will be sent again to this server at the next sync.",
                outcome.queued,
            ).format(count=outcome.queued)
        )
    return 0


def _discard(folder: Path, existed: bool) -> None:
    """Remove what ``enrol`` created: the folder, or its content if the folder was there."""
    if not existed:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _not_enrolled(created: bool, reason: str) -> str:
    if created:
        return _("Not enrolled, no profile created: {reason}.").format(reason=reason)
    return _("Not enrolled: {reason}.").format(reason=reason)


def _role(value: str) -> str:
    try:
        return label(StaffRole(value))
    except ValueError:
        return value


def sync(args: argparse.Namespace) -> int:
    cancel = threading.Event()
    options = engine.SyncOptions(
        confirm_removals=args.confirm_removals, progress=_progress, cancel=cancel
    )
    # Ctrl-C during a long first sync stops after the page in hand; the next sync resumes.
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: cancel.set())
    try:
        return _sync(args, options)
    finally:
        signal.signal(signal.SIGINT, previous)


def _progress(received: int, expected: int | None) -> None:
    """A first sync's progress, on standard error (standard output stays the summary)."""
    if expected:
        sys.stderr.write(
            ngettext(
                "Received {received} of {count} record (Ctrl-C stops; sync again to go on)",
                "Received {received} of {count} records (Ctrl-C stops; sync again to go on)",
                expected,
            ).format(received=received, count=expected)
            + "\n"
        )


def _sync(args: argparse.Namespace, options: engine.SyncOptions) -> int:
    with _open(args) as profile:
        if args.resend_refused:
            count = outbox.resend_quarantined(profile)
            _emit(
                ngettext(
                    "{count} refused change queued again.",
                    "{count} refused changes queued again.",
                    count,
                ).format(count=count)
            )
        report = engine.sync(profile, options)
        if report.wiped:
            sys.stderr.write(
                "passerelle: " + _("The server ordered this profile erased: it was erased.") + "\n"
            )
            return EXIT_WIPED
        open_count = outbox.open_conflict_count(profile)
        refused = outbox.quarantined(profile)
    _emit(
        _(
            "Sent: {sent} (applied: {applied}, merged: {merged}, in conflict: {conflicts}, "
            "to retry: {retry}, refused: {quarantined})."
        ).format(
            sent=report.sent,
            applied=report.applied + report.duplicates,
            merged=report.merged,
            conflicts=report.conflicts,
            retry=report.retry,
            quarantined=report.quarantined,
        )
    )
    _emit(
        _("Received: {received} (with your pending edits kept: {kept}, held: {held}).").format(
            received=report.received, kept=report.kept_local, held=report.held
        )
    )
    if report.left_scope_removed or report.left_scope_waiting:
        _emit(
            _("Cases that left your scope: removed: {removed}, waiting: {waiting}.").format(
                removed=report.left_scope_removed, waiting=report.left_scope_waiting
            )
        )
    for phrase in sync_status.held_phrases(report):
        _emit(phrase + ".")
    _emit(_("Open conflicts: {count}.").format(count=open_count))
    _print_refused(refused)
    if report.update_available:
        _emit(sync_status.update_message())
    return _print_partial(report)


def _print_partial(report: engine.SyncReport) -> int:
    """What did not go through, on standard error; exit 0 only for a complete sync."""
    lines = []
    if report.server_restored:
        lines.append(
            ngettext(
                "The server had lost recent work (restored from an older copy): "
                "{count} record was sent to it again; nothing was removed here.",
                "The server had lost recent work (restored from an older copy): "
                "{count} records were sent to it again; nothing was removed here.",
                report.reuploaded,
            ).format(count=report.reuploaded)
        )
    if report.access_log_rechained:
        lines.append(
            _(
                "This profile's access log no longer continued the server's copy (a restored "
                "profile): it goes on as a new chain."
            )
        )
    if report.complete:
        for line in lines:
            _emit(line)
        return 0
    if report.cancelled:
        lines.append(_("Sync stopped before the end: the next sync goes on from there."))
    if report.rejected:
        lines.append(
            ngettext(
                "Not sent: {count} change the server refused.",
                "Not sent: {count} changes the server refused.",
                report.rejected,
            ).format(count=report.rejected)
        )
    if report.removals_held:
        lines.append(
            ngettext(
                "{count} case would be removed from this laptop at once: nothing was removed. "
                "A supervisor or administrator confirms with `passerelle sync "
                "--confirm-removals`.",
                "{count} cases would be removed from this laptop at once: nothing was removed. "
                "A supervisor or administrator confirms with `passerelle sync "
                "--confirm-removals`.",
                report.removals_held,
            ).format(count=report.removals_held)
        )
    if report.access_log_refused:
        lines.append(_("The access log was not accepted by the server."))
    if report.policy_failed:
        lines.append(_("The security policy could not be refreshed."))
    if report.documents_interrupted:
        lines.append(_("Documents stopped on the way: the next sync sends or fetches the rest."))
    lines.append(_("Partial sync: records above went through, the rest did not."))
    for line in lines:
        sys.stderr.write("passerelle: " + line + "\n")
    return EXIT_PARTIAL


def list_conflicts(args: argparse.Namespace) -> int:
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if args.resolve is not None:
            if args.choose is None:
                raise ServiceError(_("Say which value to keep with --choose."))
            conflicts.resolve(ctx, args.resolve, args.choose)
            _emit(_("Conflict resolved; the choice is sent at the next sync."))
            return 0
        views = conflicts.open_conflicts(ctx)
        refused = outbox.quarantined(profile)
        for view in views:  # the values shown are read: the access log says so
            unlock.record_shown(profile, view.target_type, [view.target_id])
    for view in views:
        _emit(f"{view.id}\t{view.target_type}\t{view.target_id}\t{view.field}")
        _emit(
            "  "
            + _("kept:  {value} ({who}, {when})").format(
                value=_show(view.kept_value), who=view.kept_by or "?", when=_when(view.kept_at)
            )
        )
        _emit(
            "  "
            + _("other: {value} ({who}, {when})").format(
                value=_show(view.other_value), who=view.other_by or "?", when=_when(view.other_at)
            )
        )
    _emit(_("Open conflicts: {count}.").format(count=len(views)))
    _print_refused(refused)
    return 0


def _print_refused(refused: list[outbox.QuarantinedChange]) -> None:
    if not refused:
        return
    _emit(_("Changes refused by the server: {count}.").format(count=len(refused)))
    for change in refused:
        _emit(f"  {change.record_type}\t{change.record_id}\t{change.error or ''}")


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment else "?"


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "enrol": enrol,
    "sync": sync,
    "conflicts": list_conflicts,
}
