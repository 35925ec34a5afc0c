"""What each ``passerelle`` subcommand does: open the profile, call services, print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app.cli import (
    agenda_commands,
    audit_commands,
    document_commands,
    duplicate_commands,
    protection_commands,
    report_commands,
    security_commands,
    selftest_command,
    sync_commands,
    unlock,
)
from app.cli.outputs import prepare_file
from app.cli.passphrase import read_new_passphrase, read_passphrase
from app.i18n import _, ngettext
from app.services import owner, search, stats
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.store import backup
from app.store.errors import CorruptProfile
from app.store.profile import Profile, is_profile
from app.sync import state
from passerelle_core.enums import StaffRole

DEFAULT_OWNER_NAME = "Utilisateur"


def emit(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def complain(line: str) -> None:
    sys.stderr.write(line + "\n")


def open_profile(args: argparse.Namespace) -> Profile:
    """Unlocked (the server reached if overdue), the unlock in the access log."""
    return unlock.open_profile(args)


def init(args: argparse.Namespace) -> int:
    passphrase = unlock.new_profile_passphrase(args.passphrase_file)
    with Profile.create(args.profile, passphrase) as profile:
        owner.setup_owner(
            profile.sessions,
            args.name or DEFAULT_OWNER_NAME,
            StaffRole(args.role),
            facility_name=args.facility,
        )
    emit(_("Profile created in {folder}.").format(folder=args.profile))
    return 0


def demo(args: argparse.Namespace) -> int:
    from app.demo import fill_profile

    if is_profile(args.profile):
        profile = open_profile(args)
    else:
        passphrase = read_new_passphrase(
            args.passphrase_file, env="PASSERELLE_PASSPHRASE", option="--passphrase-file"
        )
        profile = Profile.create(args.profile, passphrase)
    with profile:
        _refuse_enrolled(profile)
        if owner.load_actor(profile.sessions) is None:
            owner.setup_owner(profile.sessions, "Démonstration", StaffRole.SOCIAL_WORKER)
        summary = fill_profile(profile, beneficiaries=args.beneficiaries, seed=args.seed)
    emit(
        _("Demo data written: {beneficiaries}, {records}.").format(
            beneficiaries=ngettext(
                "{count} beneficiary", "{count} beneficiaries", summary.beneficiary
            ).format(count=summary.beneficiary),
            records=ngettext("{count} record", "{count} records", summary.total).format(
                count=summary.total
            ),
        )
    )
    return 0


def _refuse_enrolled(profile: Profile) -> None:
    """Demo people must never reach a server nor sit beside real cases."""
    with profile.engine.connect() as connection:
        enrolled = state.get(connection, state.DEVICE_TOKEN) is not None
    if enrolled:
        raise ServiceError(
            _("This profile is enrolled with a server: demo data goes in a profile of its own.")
        )


def import_file(args: argparse.Namespace) -> int:
    """Exit 1 when rows are rejected by a dry run or nothing was written."""
    from app.services import import_mapping
    from app.services.import_report import summary_lines
    from app.services.importer import DuplicateAction, import_table, read_table

    table = read_table(args.file)
    mapping = (
        import_mapping.propose(table)
        if args.mapping is None
        else import_mapping.apply_to(table, import_mapping.read_file(args.mapping))
    )
    if args.write_mapping is not None:
        import_mapping.write_file(args.write_mapping, mapping)
        emit(_("Mapping written to {path}.").format(path=args.write_mapping))
    with open_profile(args) as profile:
        report = import_table(
            owner.owner_context(profile.sessions),
            table,
            mapping,
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
            duplicates=DuplicateAction(args.duplicates),
        )
    # Problems go to standard error, what was done to standard output.
    for warning in report.warnings:
        complain(_("warning: {warning}").format(warning=warning))
    for error in report.errors:
        complain(str(error))
    for duplicate in report.duplicates:
        emit(_("possible duplicate: {duplicate}").format(duplicate=duplicate))
    for line in summary_lines(report):
        emit(line)
    if report.dry_run:
        return 1 if report.rejected else 0
    if not report.applied:
        complain(_("Fix the rejected rows, or use --skip-invalid to write the valid rows only."))
        return 1
    return 0


def search_beneficiaries(args: argparse.Namespace) -> int:
    with open_profile(args) as profile:
        hits = search.search(_context(profile), args.query, limit=args.limit)
        unlock.record_shown(profile, "beneficiary", [hit.beneficiary_id for hit in hits])
    for hit in hits:
        arabic = " ".join(p for p in (hit.first_name_ar, hit.last_name_ar) if p)
        fields = [str(hit.beneficiary_id), f"{hit.last_name} {hit.first_name}", arabic, hit.cin]
        emit("\t".join(field or "" for field in fields))
    return 0


def print_stats(args: argparse.Namespace) -> int:
    with open_profile(args) as profile:
        counts = stats.record_counts(_context(profile))
    width = max(len(count.table) for count in counts)
    for count in counts:
        deleted = ngettext(
            "({count} deleted record)", "({count} deleted records)", count.deleted
        ).format(count=count.deleted)
        emit(f"{count.table:<{width}}  {count.live:>8}  {deleted}")
    return 0


def check(args: argparse.Namespace) -> int:
    with open_profile(args) as profile:
        problems = profile.integrity_errors()
    if problems:
        raise CorruptProfile(
            ngettext("{count} problem found", "{count} problems found", len(problems)).format(
                count=len(problems)
            )
        )
    emit(_("The profile is sound."))
    return 0


def passwd(args: argparse.Namespace) -> int:
    with open_profile(args) as profile:
        new_passphrase = unlock.new_passphrase(args.new_passphrase_file)
        profile.change_passphrase(new_passphrase)
    emit(_("Passphrase changed."))
    return 0


def rekey(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file, _("Passphrase: "))
    with unlock.open_profile(args, check_in=False, passphrase=passphrase) as profile:
        profile.rekey(passphrase)
    emit(_("The database was re-encrypted under a new key."))
    return 0


def make_backup(args: argparse.Namespace) -> int:
    out = prepare_file(args.out, force=args.force)
    with open_profile(args) as profile:
        written = backup.backup(profile, out)
    emit(_("Backup written to {path}.").format(path=written))
    return 0


def restore(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file, _("Passphrase of the backup: "))
    moved = backup.restore(args.file, args.profile, passphrase)
    if moved is not None:
        emit(_("The previous profile was kept in {path}.").format(path=moved))
    emit(_("Profile restored in {folder}.").format(folder=args.profile))
    return 0


def _context(profile: Profile) -> ServiceContext:
    return owner.owner_context(profile.sessions)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": init,
    "demo": demo,
    "import": import_file,
    "search": search_beneficiaries,
    "stats": print_stats,
    "check": check,
    "passwd": passwd,
    "rekey": rekey,
    "backup": make_backup,
    "restore": restore,
    **sync_commands.COMMANDS,
    **report_commands.COMMANDS,
    **protection_commands.COMMANDS,
    **audit_commands.COMMANDS,
    **security_commands.COMMANDS,
    **document_commands.COMMANDS,
    **duplicate_commands.COMMANDS,
    **selftest_command.COMMANDS,
    **agenda_commands.COMMANDS,
}
