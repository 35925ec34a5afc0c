"""Who issues the documents: the administration, then the facility concerned."""

from __future__ import annotations

from app.reports.language import DocumentLanguage
from app.reports.plan_data import Name


def organisation_lines(language: DocumentLanguage, facility: Name | None) -> list[str]:
    """The administration's name (the country, then the directorate) and the facility."""
    _ = language.gettext
    lines = [
        _("Kingdom of Morocco"),
        _("General Delegation for Prison Administration and Reintegration"),
    ]
    if facility is not None:
        lines.append(facility.in_language(language.code))
    return lines


def identity_line(language: DocumentLanguage, name: Name, registration: str | None) -> str:
    """Whose document: the name in both scripts and the registration number."""
    _ = language.gettext
    parts = [name.latin]
    if name.arabic:  # the document's script first: it sets the line's direction
        parts = [name.arabic, name.latin] if language.rtl else [name.latin, name.arabic]
    if registration:
        parts.append(_("Registration number: {number}").format(number=registration))
    return " · ".join(parts)
