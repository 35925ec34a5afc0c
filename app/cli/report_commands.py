"""``passerelle report plan|activity`` and ``passerelle export``: documents from the CLI.

Identifiers, dates and facilities are checked here so that a mistake is one clear line
("Beneficiary not found."), never an argparse usage dump nor a traceback; everything
else is refused by the report functions themselves with a ServiceError.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from app.cli import unlock
from app.cli.outputs import add_force_option, format_from_name, prepare_file
from app.i18n import _, ngettext
from app.indicators import Period, Scope
from app.models import Facility
from app.reports.formats import CsvDialect, ExportFormat
from app.reports.language import DOCUMENT_LANGUAGES
from app.services import owner, referrals
from app.services.context import ServiceContext
from app.services.errors import NotFound, ServiceError
from app.store.profile import Profile

MakeCommand = Callable[[Any, str, str], argparse.ArgumentParser]


def add_parsers(commands: Any, make_command: MakeCommand) -> None:
    """``report`` (with its three kinds) and ``export``, built with the parser's helper."""
    report = commands.add_parser(
        "report", help=_("print a document to PDF"), description=_("print a document to PDF")
    )
    kinds = report.add_subparsers(dest="report", metavar="KIND", required=True)
    plan = make_command(kinds, "plan", _("summary of a beneficiary's action plan, to sign"))
    plan.add_argument(
        "--beneficiary", required=True, metavar="ID", help=_("the beneficiary's id (see search)")
    )
    _document_options(plan)
    activity = make_command(kinds, "activity", _("activity report with the indicators of a period"))
    _period_options(activity, required=True)
    _document_options(activity)
    slip = make_command(kinds, "slip", _("referral slip the beneficiary takes to the partner"))
    slip.add_argument(
        "--referral", required=True, metavar="REF", help=_("the referral's reference or id")
    )
    _document_options(slip)

    export = make_command(commands, "export", _("export indicators or the anonymised case list"))
    export.add_argument(
        "--what",
        choices=("indicators", "cases"),
        required=True,
        help=_("the indicators of a period, or the anonymised case list"),
    )
    export.add_argument(
        "--format",
        dest="export_format",
        choices=[f.value for f in ExportFormat],
        default=None,
        help=_("csv or xlsx (default: from the file name's extension)"),
    )
    export.add_argument(
        "--csv-dialect",
        dest="csv_dialect",
        choices=[d.value for d in CsvDialect],
        default=CsvDialect.EXCEL.value,
        help=_(
            "excel: ';' and decimal comma for French-locale spreadsheets (default); "
            "rfc: RFC 4180 for programs"
        ),
    )
    _period_options(export, required=False)
    _document_options(export)


def _document_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--lang",
        dest="document_language",
        choices=DOCUMENT_LANGUAGES,
        default="fr",
        help=_("language of the document"),
    )
    command.add_argument(
        "--out", type=Path, required=True, metavar="F", help=_("the file to write")
    )
    add_force_option(command)


def _period_options(command: argparse.ArgumentParser, *, required: bool) -> None:
    command.add_argument(
        "--from", dest="start", required=required, metavar="YYYY-MM-DD", help=_("first day")
    )
    command.add_argument(
        "--to", dest="end", required=required, metavar="YYYY-MM-DD", help=_("last day")
    )
    command.add_argument("--facility", metavar="X", help=_("code, name or id of a facility"))


def report(args: argparse.Namespace) -> int:
    # The writers (reportlab) load here: the application started by `passerelle` never needs them.
    from app.reports import write_activity_report, write_plan_summary
    from app.reports.referral_slip import write_referral_slip

    out = prepare_file(args.out, force=args.force, suffixes=(".pdf",))
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        if args.report == "plan":
            beneficiary = _uuid(args.beneficiary, _("Beneficiary"))
            written = write_plan_summary(ctx, beneficiary, out, args.document_language)
            message = _("Plan summary written to {path}.")
        elif args.report == "slip":
            referral = _referral(ctx, args.referral)
            written = write_referral_slip(ctx, referral, out, args.document_language)
            message = _("Referral slip written to {path}.")
        else:
            period = _period(args.start, args.end)
            scope = _scope(ctx, args.facility)
            written = write_activity_report(ctx, period, out, scope, args.document_language)
            message = _("Activity report written to {path}.")
    _emit(message.format(path=written))
    return 0


def export(args: argparse.Namespace) -> int:
    from app.reports import write_case_list, write_indicators  # openpyxl, when asked for

    formats = tuple(f.value for f in ExportFormat)
    export_format = ExportFormat(format_from_name(args.out, args.export_format, formats))
    out = prepare_file(args.out, force=args.force)
    with _open(args) as profile:
        ctx = owner.owner_context(profile.sessions)
        scope = _scope(ctx, args.facility)
        period = _optional_period(args.start, args.end)
        language = args.document_language
        dialect = CsvDialect(args.csv_dialect)
        if args.what == "indicators":
            today = ctx.today()
            period = period or Period(today.replace(day=1), today)  # this month so far
            done = write_indicators(ctx, period, out, export_format, scope, language, dialect)
        else:
            done = write_case_list(ctx, out, export_format, period, scope, language, dialect)
    _emit(
        ngettext(
            "{count} row written to {path}.", "{count} rows written to {path}.", done.rows
        ).format(count=done.rows, path=done.path)
    )
    if done.k is not None:
        _emit(
            ngettext(
                "k-anonymous with k = {k}; {count} row left out.",
                "k-anonymous with k = {k}; {count} rows left out.",
                done.suppressed,
            ).format(k=done.k, count=done.suppressed)
        )
    return 0


def _open(args: argparse.Namespace) -> Profile:
    return unlock.open_profile(args, check_in=False)  # the unlock is logged


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


def _referral(ctx: ServiceContext, value: str) -> uuid.UUID:
    """A referral named by the reference printed on its slip, or by its id."""
    found = referrals.find_by_reference(ctx, value)
    return found.id if found is not None else _uuid(value, _("Referral"))


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise NotFound(what) from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ServiceError(
            _("{value} is not a date: write it YYYY-MM-DD.").format(value=value)
        ) from None


def _period(start: str, end: str) -> Period:
    return Period(_date(start), _date(end))


def _optional_period(start: str | None, end: str | None) -> Period | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise ServiceError(_("Give both --from and --to, or neither."))
    return _period(start, end)


def _scope(ctx: ServiceContext, facility: str | None) -> Scope:
    """The facility named by its code, its name (either script) or its id."""
    if facility is None:
        return Scope()
    wanted = facility.strip()
    with ctx.reading() as session:
        query = select(Facility.id)
        matches = [Facility.code == wanted, Facility.name == wanted, Facility.name_ar == wanted]
        try:
            matches.append(Facility.id == uuid.UUID(wanted))
        except ValueError:
            pass
        found = list(session.scalars(query.where(or_(*matches))))
    if len(found) != 1:
        raise NotFound(_("Facility"))
    return Scope(facility_id=found[0])


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "report": report,
    "export": export,
}
