"""The names behind a scope of indicators (facility, team, staff member), for headings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.i18n import _  # errors speak the interface language; headings the document's
from app.indicators import Scope
from app.models import Facility, StaffMember, Team
from app.reports.language import DocumentLanguage
from app.reports.plan_data import Name
from app.services.context import ServiceContext
from app.services.lookup import get_live


@dataclass(frozen=True)
class ScopeNames:
    facility: Name | None
    team: str | None
    staff: Name | None
    author: Name | None
    today: date

    def label(self, language: DocumentLanguage) -> str:
        """The facility, team and staff member named, or "the whole profile"."""
        _ = language.gettext
        parts = []
        if self.facility is not None:
            parts.append(self.facility.in_language(language.code))
        if self.team is not None:
            parts.append(_("team {name}").format(name=self.team))
        if self.staff is not None:
            parts.append(_("caseload of {name}").format(name=self.staff.in_language(language.code)))
        separator = "، " if language.rtl else ", "
        return separator.join(parts) if parts else _("the whole profile")


def describe(ctx: ServiceContext, scope: Scope) -> ScopeNames:
    """Raises NotFound for a facility, team or staff member that does not exist."""
    with ctx.reading() as session:
        facility = team = staff = None
        if scope.facility_id is not None:
            found = get_live(session, Facility, scope.facility_id, _("Facility"))
            facility = Name(found.name, found.name_ar)
        if scope.team_id is not None:
            team = get_live(session, Team, scope.team_id, _("Team")).name
        if scope.staff_id is not None:
            member = get_live(session, StaffMember, scope.staff_id, _("Staff member"))
            staff = Name(member.full_name, member.full_name_ar)
        author = session.get(StaffMember, ctx.actor.staff_id)
        return ScopeNames(
            facility=facility,
            team=team,
            staff=staff,
            author=Name(author.full_name, author.full_name_ar) if author else None,
            today=ctx.today(),
        )
