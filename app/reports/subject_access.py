"""The right-of-access export: everything held on one person, as a PDF to read and a JSON
file for computers, written together in one action.

The data come from :func:`app.services.subject_access.collect` (what is included, and
why psychologist-only notes only in a psychologist's export, is explained there). The
PDF is laid out with the plan summary's building blocks: letterhead, identity block,
one table per kind of record, in French or Arabic. Records deleted in the application
are still held, so they are listed, marked as deleted.

Both files are named after the record's id, never the person's name (file names end up
in recent-file lists), and the export is recorded in the access log.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from reportlab.platypus import Flowable

from app.models import AccessAction, Facility
from app.reports.blocks import Cell, grid, heading, key_values
from app.reports.document import BODY_WIDTH, Letterhead, Styles, render_pdf
from app.reports.files import replacing
from app.reports.language import DocumentLanguage
from app.reports.letterhead import identity_line, organisation_lines
from app.reports.plan_data import Name
from app.reports.text import Text
from app.services import audit, documents
from app.services.context import ServiceContext
from app.services.subject_access import SubjectAccess, collect
from passerelle_core.enums import (
    ActionStatus,
    AssessmentStage,
    AssessmentStatus,
    CaseStatus,
    Confidentiality,
    ConsentMethod,
    ConsentPurpose,
    DecisionStatus,
    GoalStatus,
    LegalStatus,
    OutcomeCheckpoint,
    PlanStatus,
    ReferralStatus,
    SessionKind,
    Sex,
)

Record = dict[str, Any]
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class AccessExport:
    pdf: Path
    json: Path
    documents: tuple[Path, ...] = ()  # the case's attached documents, as they were scanned


def export_subject_access(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, folder: Path, language: str = "fr"
) -> AccessExport:
    """Write ``subject-access-<id>-<date>.pdf`` and ``.json`` into ``folder``, both or none."""
    access = collect(ctx, beneficiary_id)
    pdf = render_subject_access(access, language, _facility(ctx, access))
    paths = AccessExport(*export_paths(ctx, beneficiary_id, folder))
    with replacing(paths.json) as json_part, replacing(paths.pdf) as pdf_part:
        json_part.write_bytes(access.to_bytes())
        pdf_part.write_bytes(pdf)
    audit.record_access(ctx, AccessAction.EXPORT, "beneficiary", beneficiary_id)
    # The right of access covers the documents held too: each beside the PDF and JSON.
    stem = paths.pdf.stem
    copies = tuple(
        documents.extract(ctx, row.id, paths.pdf.with_name(f"{stem}-{row.id.hex[:8]}{ext}"))
        for row in documents.list_for(ctx, beneficiary_id)
        if row.held and (ext := documents.EXTENSIONS.get(row.document.media_type, ""))
    )
    return AccessExport(paths.pdf, paths.json, copies)


def export_paths(ctx: ServiceContext, beneficiary_id: uuid.UUID, folder: Path) -> tuple[Path, Path]:
    """The PDF and JSON an export of today writes (the CLI checks them before writing)."""
    stem = f"subject-access-{beneficiary_id.hex[:8]}-{ctx.today():%Y%m%d}"
    return Path(folder) / f"{stem}.pdf", Path(folder) / f"{stem}.json"


def render_subject_access(
    access: SubjectAccess, language: str = "fr", facility: Name | None = None
) -> bytes:
    return _Renderer(access, DocumentLanguage(language), facility).render()


def _facility(ctx: ServiceContext, access: SubjectAccess) -> Name | None:
    facility_id = access.person.get("facility_id")
    if facility_id is None:
        return None
    with ctx.reading() as session:
        found = session.get(Facility, uuid.UUID(facility_id))
        return None if found is None else Name(found.name, found.name_ar)


def _day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


class _Renderer:
    def __init__(
        self, access: SubjectAccess, language: DocumentLanguage, facility: Name | None
    ) -> None:
        self.access, self.lang, self.facility = access, language, facility
        self.styles = Styles.of(language)
        self.rtl = language.rtl
        self._ = language.gettext
        self.partners = {p["id"]: Name(p["name"], p.get("name_ar")) for p in access.partners}

    # -- values ----------------------------------------------------------------------------

    def date(self, value: Any) -> str:
        return self.lang.short_date(_day(value))

    def label(self, kind: type[E], value: Any) -> str:
        return "" if value is None else self.lang.label(kind(value))

    def flag(self, value: bool | None) -> str:
        return "" if value is None else self._("yes") if value else self._("no")

    def deleted(self, record: Record, text: str) -> str:
        if record.get("deleted_at") is None:
            return text
        return self._("{text} (deleted)").format(text=text)

    def partner(self, partner_id: Any) -> str:
        name = self.partners.get(partner_id) if partner_id else None
        return name.in_language(self.lang.code) if name else ""

    # -- document --------------------------------------------------------------------------

    def render(self) -> bytes:
        _ = self._
        title = _("Right of access")
        letterhead = Letterhead(
            organisation=organisation_lines(self.lang, self.facility),
            title=title,
            subtitle=_("Exported on {date}").format(
                date=self.lang.short_date(self.access.exported_at.date())
            ),
            footer_note=_(
                "Confidential: personal data protected by law 09-08, given to the person "
                "it concerns at their request."
            ),
            page_label=_("Page {page} of {pages}"),
            identity=self.identity_line(),
        )
        story = [
            *self.title(),
            *self.identity(),
            *self.consents(),
            *self.assessments(),
            *self.plans(),
            *self.sessions(),
            *self.referrals(),
            *self.outcomes(),
            *self.decisions(),
            *self.closing(),
        ]
        return render_pdf(story, self.lang, letterhead, title=title)

    def identity_line(self) -> str:
        p = self.access.person
        latin = f"{p['last_name'].upper()} {p['first_name']}".strip()
        arabic = " ".join(filter(None, (p["first_name_ar"], p["last_name_ar"])))
        return identity_line(self.lang, Name(latin, arabic or None), p["registration_number"])

    def section(
        self, title: str, rows: Sequence[Sequence[Cell]], shares: Sequence[float]
    ) -> list[Flowable]:
        story: list[Flowable] = [heading(title, self.styles)]
        if len(rows) == 1:
            # One wording for every heading: "Aucun." would not agree with a feminine one.
            story.append(Text(self._("Nothing recorded."), self.styles.muted))
            return story
        widths = [BODY_WIDTH * share for share in shares]
        story.append(grid(rows, widths, self.styles, rtl=self.rtl))
        return story

    def title(self) -> list[Flowable]:
        _ = self._
        person = self.access.person
        name = f"{person['last_name'].upper()} {person['first_name']}".strip()
        intro = _(
            "This document lists everything Passerelle holds on this person, in answer to "
            "their right of access (law 09-08). The JSON file exported with it holds the "
            "same data in full, for use by computers."
        )
        role = self.lang.label(self.access.exported_by_role)
        made = _("Exported on {date} by a staff member ({role}).").format(
            date=self.lang.long_date(self.access.exported_at.date()), role=role
        )
        return [
            Text(_("Data held on {name}").format(name=name), self.styles.title),
            Text(intro, self.styles.body),
            Text(made, self.styles.muted.but(space_after=4)),
        ]

    def identity(self) -> list[Flowable]:
        _ = self._
        p = self.access.person
        sex = Sex(p["sex"]) if p["sex"] else None
        pairs = [
            (_("Name"), f"{p['last_name']} {p['first_name']}".strip()),
            (
                _("Name in Arabic script"),
                " ".join(filter(None, (p["first_name_ar"], p["last_name_ar"]))),
            ),
            (_("Birth date"), self.date(p["birth_date"])),
            (_("Sex"), self.label(Sex, p["sex"])),
            (_("CIN"), p["cin"] or ""),
            (_("Registration number"), p["registration_number"] or ""),
            (_("Legal status"), self.lang.label_for(LegalStatus(p["legal_status"]), sex)),
            (_("Case status"), self.label(CaseStatus, p["case_status"])),
            (_("Intake date"), self.date(p["intake_date"])),
            (_("Expected release"), self.date(p["expected_release_date"])),
            (_("Release"), self.date(p["actual_release_date"])),
            (_("Closed on"), self.date(p["closed_on"])),
            (_("Phone"), p["phone"] or ""),
            (_("Address"), p["address"] or ""),
            (_("Contact person"), p["contact_person"] or ""),
            (_("Contact phone"), p["contact_phone"] or ""),
        ]
        return [heading(_("Identity"), self.styles), key_values(pairs, self.styles, rtl=self.rtl)]

    def consents(self) -> list[Flowable]:
        _ = self._
        rows: list[list[Cell]] = [
            [_("Purpose"), _("Partner"), _("Given on"), _("Method"), _("Withdrawn on")]
        ]
        for c in self.access.of_type("consent_record"):
            rows.append(
                [
                    self.deleted(c, self.label(ConsentPurpose, c["purpose"])),
                    self.partner(c["partner_id"]),
                    self.date(c["given_on"]),
                    self.label(ConsentMethod, c["method"]),
                    self.date(c["withdrawn_on"]),
                ]
            )
        return self.section(_("Consents"), rows, (0.3, 0.3, 0.13, 0.13, 0.14))

    def assessments(self) -> list[Flowable]:
        _ = self._
        separator = "، " if self.rtl else ", "
        rows: list[list[Cell]] = [
            [_("Date"), _("Stage"), _("Status"), _("Priority domains"), _("Notes")]
        ]
        for a in self.access.of_type("needs_assessment"):
            domains = separator.join(self.lang.domain(d) for d in a["priority_domains"] or [])
            notes = [a["notes"] or "", *(a["item_notes"] or {}).values()]
            rows.append(
                [
                    self.deleted(a, self.date(a["assessed_on"])),
                    self.label(AssessmentStage, a["stage"]),
                    self.label(AssessmentStatus, a["status"]),
                    domains,
                    " · ".join(n for n in notes if n),
                ]
            )
        return self.section(_("Needs assessments"), rows, (0.13, 0.15, 0.12, 0.25, 0.35))

    def plans(self) -> list[Flowable]:
        _ = self._
        goals_of = _group(self.access.of_type("goal"), "plan_id")
        actions_of = _group(self.access.of_type("action"), "goal_id")
        rows: list[list[Cell]] = [[_("Plan"), _("Goal"), _("Action"), _("Status"), _("Date")]]
        for plan in self.access.of_type("action_plan"):
            title = plan["title"] or self._("Action plan")
            rows.append(
                [
                    self.deleted(plan, title),
                    "",
                    "",
                    self.label(PlanStatus, plan["status"]),
                    self.date(plan["activated_on"] or plan["closed_on"]),
                ]
            )
            for goal in goals_of.get(plan["id"], []):
                wording = self._("{label}: {value}").format(
                    label=self.lang.domain(goal["domain_id"]), value=goal["wording"]
                )
                rows.append(
                    [
                        "",
                        self.deleted(goal, wording),
                        "",
                        self.label(GoalStatus, goal["status"]),
                        self.date(goal["target_date"]),
                    ]
                )
                for action in actions_of.get(goal["id"], []):
                    rows.append(
                        [
                            "",
                            "",
                            self.deleted(action, action["description"]),
                            self.label(ActionStatus, action["status"]),
                            self.date(action["due_date"]),
                        ]
                    )
        return self.section(_("Action plans"), rows, (0.2, 0.28, 0.28, 0.12, 0.12))

    def sessions(self) -> list[Flowable]:
        _ = self._
        notes_of = _group(self.access.of_type("session_note"), "session_id")
        rows: list[list[Cell]] = [[_("Date"), _("Kind"), _("Topic"), _("Note")]]
        for s in self.access.of_type("follow_up_session"):
            revisions = sorted(notes_of.get(s["id"], []), key=lambda n: n["revision"])
            text = " · ".join(n["body"] for n in revisions if n["body"])
            day = self.date(s["held_on"])
            if s["confidentiality"] == Confidentiality.PSYCHOLOGIST_ONLY.value:
                day = _("{date} (psychologist only)").format(date=day)
            rows.append(
                [self.deleted(s, day), self.label(SessionKind, s["kind"]), s["topic"] or "", text]
            )
        return self.section(_("Follow-up sessions"), rows, (0.16, 0.14, 0.25, 0.45))

    def referrals(self) -> list[Flowable]:
        _ = self._
        rows: list[list[Cell]] = [
            [_("Reference"), _("Partner"), _("Sent on"), _("Status"), _("Reason"), _("Outcome")]
        ]
        for r in self.access.of_type("referral"):
            rows.append(
                [
                    self.deleted(r, r["reference"]),
                    self.partner(r["partner_id"]),
                    self.date(r["sent_on"]),
                    self.label(ReferralStatus, r["status"]),
                    r["reason"] or "",
                    r["outcome"] or "",
                ]
            )
        return self.section(_("Referrals"), rows, (0.16, 0.2, 0.12, 0.12, 0.2, 0.2))

    def outcomes(self) -> list[Flowable]:
        _ = self._
        rows: list[list[Cell]] = [
            [
                _("Checkpoint"),
                _("Recorded on"),
                _("In work or training"),
                _("Housing secured"),
                _("Re-incarcerated"),
                _("Notes"),
            ]
        ]
        for o in self.access.of_type("post_release_outcome"):
            rows.append(
                [
                    self.deleted(o, self.label(OutcomeCheckpoint, o["checkpoint"])),
                    self.date(o["recorded_on"]),
                    self.flag(o["in_work_or_training"]),
                    self.flag(o["housing_secured"]),
                    self.flag(o["reincarcerated"]),
                    o["notes"] or "",
                ]
            )
        return self.section(_("Post-release outcomes"), rows, (0.14, 0.13, 0.14, 0.14, 0.14, 0.31))

    def decisions(self) -> list[Flowable]:
        _ = self._
        meetings = {m["id"]: m for m in self.access.meetings}
        rows: list[list[Cell]] = [[_("Meeting"), _("Date"), _("Decision"), _("Status")]]
        for d in self.access.of_type("meeting_decision"):
            meeting = meetings.get(d["meeting_id"], {})
            rows.append(
                [
                    self.deleted(d, meeting.get("title", "")),
                    self.date(meeting.get("held_on")),
                    d["text"],
                    self.label(DecisionStatus, d["status"]),
                ]
            )
        return self.section(_("Coordination meetings"), rows, (0.25, 0.13, 0.47, 0.15))

    def closing(self) -> list[Flowable]:
        _ = self._
        lines = []
        if self.access.of_type("sync_conflict"):
            lines.append(
                _(
                    "Synchronisation conflicts keep earlier values of some fields: they are "
                    "listed in the JSON file."
                )
            )
        if self.access.restricted_included:
            lines.append(
                _(
                    "Notes restricted to psychologists are included: a psychologist made "
                    "this export."
                )
            )
        else:
            lines.append(
                _(
                    "Notes a psychologist keeps under professional confidentiality are not part "
                    "of this export; the person may ask a psychologist of the service for them."
                )
            )
        return [
            heading(_("About this export"), self.styles),
            *(Text(line, self.styles.body) for line in lines),
        ]


def _group(records: list[Record], key: str) -> dict[str, list[Record]]:
    grouped: dict[str, list[Record]] = {}
    for record in records:
        grouped.setdefault(record[key], []).append(record)
    return grouped
