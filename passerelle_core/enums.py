"""Closed vocabularies of the domain. Values are stored and synced as-is: never rename one."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    PSYCHOLOGIST = "psychologist"
    SOCIAL_WORKER = "social_worker"
    EDUCATOR = "educator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class FacilityKind(StrEnum):
    PRISON = "prison"
    REGIONAL_OFFICE = "regional_office"
    CENTRAL = "central"


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class LegalStatus(StrEnum):
    PRE_TRIAL = "pre_trial"
    SENTENCED = "sentenced"
    CONDITIONAL_RELEASE = "conditional_release"
    RELEASED = "released"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ConsentPurpose(StrEnum):
    ASSESSMENT = "assessment"
    PARTNER_SHARING = "partner_sharing"
    STATISTICS = "statistics"


class ConsentMethod(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"


class AssessmentStage(StrEnum):
    INTAKE = "intake"
    REVIEW = "review"
    PRE_RELEASE = "pre_release"
    POST_RELEASE = "post_release"


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


class PlanOutcome(StrEnum):
    ACHIEVED = "achieved"
    PARTIALLY_ACHIEVED = "partially_achieved"
    NOT_ACHIEVED = "not_achieved"
    TRANSFERRED = "transferred"
    DISCONTINUED = "discontinued"


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


class ResponsibleKind(StrEnum):
    BENEFICIARY = "beneficiary"
    STAFF = "staff"
    PARTNER = "partner"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class SessionKind(StrEnum):
    INDIVIDUAL = "individual"
    GROUP_WORKSHOP = "group_workshop"
    FAMILY_VISIT = "family_visit"
    PHONE = "phone"
    HOME_VISIT = "home_visit"


class Confidentiality(StrEnum):
    STANDARD = "standard"
    PSYCHOLOGIST_ONLY = "psychologist_only"


class PartnerKind(StrEnum):
    NGO = "ngo"
    EMPLOYER = "employer"
    LOCAL_AUTHORITY = "local_authority"
    PUBLIC_SERVICE = "public_service"
    FOUNDATION = "foundation"
    OTHER = "other"


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    STARTED = "started"
    COMPLETED = "completed"
    REFUSED = "refused"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class DecisionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class OutcomeCheckpoint(StrEnum):
    MONTHS_6 = "6"
    MONTHS_12 = "12"
    MONTHS_24 = "24"


class RetentionAction(StrEnum):
    """What happens to a case at the end of its retention period (passerelle_core.erasure)."""

    ANONYMISE = "anonymise"  # identity and free text erased, statistics kept
    PURGE = "purge"  # everything erased and the records deleted


class AppointmentStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    MISSED = "missed"
    CANCELLED = "cancelled"


class AppointmentPlace(StrEnum):
    FACILITY = "facility"  # in the prison, at the person's facility
    OFFICE = "office"  # at the service's office (after release)


class QuickNoteKind(StrEnum):
    PHONE = "phone"
    CORRIDOR = "corridor"
    FAMILY_MESSAGE = "family_message"
    PARTNER_MESSAGE = "partner_message"


class DocumentKind(StrEnum):
    """What a document attached to a case file is (app.models.document)."""

    IDENTITY = "identity"
    JUDICIAL = "judicial"
    SIGNED_PLAN = "signed_plan"
    PARTNER_LETTER = "partner_letter"
    CERTIFICATE = "certificate"
    OTHER = "other"
