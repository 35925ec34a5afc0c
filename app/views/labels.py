"""What users read for each value of the domain's closed vocabularies (``app.models.enums``).

One table for every enum, so a combo box, a table cell and a printed line say the same
word. Members of different enums may share a value ("open", "done"), so the table is
keyed by enum class first. ``label(member)`` translates at call time.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from app.i18n import N_, _
from app.models.enums import (
    ActionStatus,
    AssessmentStage,
    AssessmentStatus,
    CaseStatus,
    Confidentiality,
    ConsentMethod,
    ConsentPurpose,
    DecisionStatus,
    FacilityKind,
    GoalStatus,
    LegalStatus,
    OutcomeCheckpoint,
    PartnerKind,
    PlanOutcome,
    PlanStatus,
    ReferralStatus,
    ResponsibleKind,
    SessionKind,
    Sex,
    StaffRole,
)

E = TypeVar("E", bound=StrEnum)

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
        PlanOutcome.TRANSFERRED: N_("Transferred"),
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
        ReferralStatus.COMPLETED: N_("Completed"),
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
}

LABELLED_ENUMS: tuple[type[StrEnum], ...] = tuple(_LABELS)


def label(member: StrEnum) -> str:
    """The translated label of one enum member (the raw value if it has none, never a crash)."""
    labels = _LABELS.get(type(member))
    if labels is None or member not in labels:
        return str(member.value)
    return _(labels[member])


def label_or_blank(member: StrEnum | None) -> str:
    """For optional values shown in tables: an empty cell when unset."""
    return "" if member is None else label(member)


def choices(enum_class: type[E]) -> list[tuple[str, E]]:
    """(label, member) pairs in declaration order, for combo boxes."""
    return [(label(member), member) for member in enum_class]


def legal_status_label(value: LegalStatus) -> str:
    return label(value)


def plan_status_label(value: PlanStatus) -> str:
    return label(value)


def referral_status_label(value: ReferralStatus) -> str:
    return label(value)


def action_status_label(value: ActionStatus) -> str:
    return label(value)


def staff_role_label(value: StaffRole) -> str:
    return label(value)
