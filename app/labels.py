"""What readers see for each value of the domain's closed vocabularies (``passerelle_core.enums``).

One table for every enum, Qt-free, so that a printed document, an export and a screen
say the same word (``app.views.labels`` holds the same table for the screens and can
import it from here). Members of different enums may share a value ("open", "done"),
so the table is keyed by enum class first. Labels are marked with ``N_`` and translated
where they are shown: ``label(member)`` in the interface language, or with a
document's own translator (``gettext=``).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from app.i18n import CONTEXT_SEPARATOR, N_, NC_, _
from passerelle_core.enums import (
    ActionStatus,
    AppointmentPlace,
    AppointmentStatus,
    AssessmentStage,
    AssessmentStatus,
    CaseStatus,
    Confidentiality,
    ConsentMethod,
    ConsentPurpose,
    DecisionStatus,
    DocumentKind,
    FacilityKind,
    GoalStatus,
    LegalStatus,
    OutcomeCheckpoint,
    PartnerKind,
    PlanOutcome,
    PlanStatus,
    QuickNoteKind,
    ReferralStatus,
    ResponsibleKind,
    RetentionAction,
    SessionKind,
    Sex,
    StaffRole,
)

_LABELS: dict[type[StrEnum], dict[StrEnum, str]] = {
    StaffRole: {
        StaffRole.PSYCHOLOGIST: N_("Psychologist"),
        StaffRole.SOCIAL_WORKER: N_("Social worker"),
        StaffRole.EDUCATOR: N_("Educator"),
        StaffRole.SUPERVISOR: N_("Supervisor"),
        StaffRole.ADMIN: N_("Administrator"),
    },
    FacilityKind: {
        FacilityKind.PRISON: N_("Prison"),
        FacilityKind.REGIONAL_OFFICE: N_("Regional office"),
        FacilityKind.CENTRAL: N_("Central administration"),
    },
    Sex: {
        Sex.FEMALE: N_("Female"),
        Sex.MALE: N_("Male"),
    },
    LegalStatus: {
        LegalStatus.PRE_TRIAL: N_("Pre-trial detention"),
        LegalStatus.SENTENCED: N_("Sentenced"),
        LegalStatus.CONDITIONAL_RELEASE: N_("Conditional release"),
        LegalStatus.RELEASED: N_("Released"),
    },
    CaseStatus: {
        CaseStatus.OPEN: N_("Open case"),
        CaseStatus.CLOSED: N_("Closed case"),
    },
    ConsentPurpose: {
        ConsentPurpose.ASSESSMENT: N_("Needs assessment"),
        ConsentPurpose.PARTNER_SHARING: N_("Sharing with a partner"),
        ConsentPurpose.STATISTICS: N_("Anonymised statistics"),
    },
    ConsentMethod: {
        ConsentMethod.WRITTEN: N_("Written"),
        ConsentMethod.ORAL: N_("Oral"),
    },
    AssessmentStage: {
        AssessmentStage.INTAKE: N_("Intake"),
        AssessmentStage.REVIEW: N_("Review"),
        AssessmentStage.PRE_RELEASE: N_("Before release"),
        AssessmentStage.POST_RELEASE: N_("After release"),
    },
    AssessmentStatus: {
        AssessmentStatus.DRAFT: N_("Draft"),
        AssessmentStatus.COMPLETED: N_("Completed"),
    },
    PlanStatus: {
        PlanStatus.DRAFT: N_("Draft"),
        PlanStatus.AWAITING_APPROVAL: N_("Awaiting approval"),
        PlanStatus.ACTIVE: N_("Active"),
        PlanStatus.UNDER_REVIEW: N_("Under review"),
        PlanStatus.CLOSED: N_("Closed"),
    },
    PlanOutcome: {
        PlanOutcome.ACHIEVED: N_("Achieved"),
        PlanOutcome.PARTIALLY_ACHIEVED: N_("Partially achieved"),
        PlanOutcome.NOT_ACHIEVED: N_("Not achieved"),
        PlanOutcome.TRANSFERRED: NC_("plan outcome", "Transferred"),
        PlanOutcome.DISCONTINUED: N_("Discontinued"),
    },
    GoalStatus: {
        GoalStatus.OPEN: N_("In progress"),
        GoalStatus.ACHIEVED: N_("Achieved"),
        GoalStatus.ABANDONED: N_("Abandoned"),
    },
    ResponsibleKind: {
        ResponsibleKind.BENEFICIARY: N_("The beneficiary"),
        ResponsibleKind.STAFF: N_("A staff member"),
        ResponsibleKind.PARTNER: N_("A partner"),
    },
    ActionStatus: {
        ActionStatus.PLANNED: N_("Planned"),
        ActionStatus.IN_PROGRESS: N_("In progress"),
        ActionStatus.DONE: N_("Done"),
        ActionStatus.CANCELLED: N_("Cancelled"),
    },
    SessionKind: {
        SessionKind.INDIVIDUAL: N_("Individual session"),
        SessionKind.GROUP_WORKSHOP: N_("Group workshop"),
        SessionKind.FAMILY_VISIT: N_("Family visit"),
        SessionKind.PHONE: N_("Phone call"),
        SessionKind.HOME_VISIT: N_("Home visit"),
    },
    Confidentiality: {
        Confidentiality.STANDARD: N_("Standard"),
        Confidentiality.PSYCHOLOGIST_ONLY: N_("Psychologists only"),
    },
    PartnerKind: {
        PartnerKind.NGO: N_("Association (NGO)"),
        PartnerKind.EMPLOYER: N_("Employer"),
        PartnerKind.LOCAL_AUTHORITY: N_("Local authority"),
        PartnerKind.PUBLIC_SERVICE: N_("Public service"),
        PartnerKind.FOUNDATION: N_("Foundation"),
        PartnerKind.OTHER: N_("Other"),
    },
    ReferralStatus: {
        ReferralStatus.SENT: N_("Sent"),
        ReferralStatus.ACCEPTED: N_("Accepted"),
        ReferralStatus.STARTED: N_("Started"),
        ReferralStatus.COMPLETED: NC_("referral", "Completed"),
        ReferralStatus.REFUSED: N_("Refused"),
        ReferralStatus.NO_SHOW: N_("Did not attend"),
        ReferralStatus.CANCELLED: N_("Cancelled"),
    },
    DecisionStatus: {
        DecisionStatus.OPEN: N_("To do"),
        DecisionStatus.DONE: N_("Done"),
        DecisionStatus.CANCELLED: N_("Cancelled"),
    },
    OutcomeCheckpoint: {
        OutcomeCheckpoint.MONTHS_6: N_("6 months after release"),
        OutcomeCheckpoint.MONTHS_12: N_("12 months after release"),
        OutcomeCheckpoint.MONTHS_24: N_("24 months after release"),
    },
    RetentionAction: {
        RetentionAction.ANONYMISE: N_("Anonymise (statistics kept)"),
        RetentionAction.PURGE: N_("Purge (everything erased)"),
    },
    AppointmentStatus: {
        AppointmentStatus.PLANNED: N_("Scheduled"),
        AppointmentStatus.DONE: N_("Held"),
        AppointmentStatus.MISSED: N_("Missed"),
        AppointmentStatus.CANCELLED: N_("Called off"),
    },
    AppointmentPlace: {
        AppointmentPlace.FACILITY: N_("At the facility"),
        AppointmentPlace.OFFICE: N_("At the office"),
    },
    QuickNoteKind: {
        QuickNoteKind.PHONE: N_("Phone call"),
        QuickNoteKind.CORRIDOR: N_("Corridor talk"),
        QuickNoteKind.FAMILY_MESSAGE: N_("Message from the family"),
        QuickNoteKind.PARTNER_MESSAGE: N_("Message from a partner"),
    },
    DocumentKind: {
        DocumentKind.IDENTITY: N_("Identity document"),
        DocumentKind.JUDICIAL: N_("Judicial document"),
        DocumentKind.SIGNED_PLAN: N_("Signed plan"),
        DocumentKind.PARTNER_LETTER: N_("Partner letter"),
        DocumentKind.CERTIFICATE: N_("Certificate"),
        DocumentKind.OTHER: N_("Other document"),
    },
}

LABELLED_ENUMS: tuple[type[StrEnum], ...] = tuple(_LABELS)


def label(member: StrEnum, gettext: Callable[[str], str] = _) -> str:
    """The translated label of one enum member (its raw value if it has none, never a crash)."""
    labels = _LABELS.get(type(member))
    if labels is None or member not in labels:
        return str(member.value)
    text = gettext(labels[member])
    if CONTEXT_SEPARATOR in text:  # a contextual label without its translation: the plain one
        text = gettext(text.partition(CONTEXT_SEPARATOR)[2])
    return text
