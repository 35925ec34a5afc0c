"""The domain model of reintegration work (SQLAlchemy 2 typed declarative, no Qt)."""

from app.models.agenda import Appointment, QuickNote
from app.models.assessment import NeedsAssessment
from app.models.audit import AccessAction, AccessLogEntry
from app.models.base import Base, SyncedMixin
from app.models.beneficiary import Beneficiary, ConsentRecord, PostReleaseOutcome
from app.models.document import CaseDocument, CaseTransfer, DocumentChunk, DocumentContent
from app.models.duplicate import DuplicateDecision, DuplicateVerdict
from app.models.followup import FollowUpSession, SessionNote
from app.models.meeting import CoordinationMeeting, MeetingDecision, MeetingParticipant
from app.models.organisation import Facility, StaffMember, Team
from app.models.partner import Partner, PartnerContact, PartnerService, Referral
from app.models.plan import Action, ActionPlan, Goal
from app.models.profile import ProfileSetting
from app.models.sync import (
    ConflictResolution,
    HeldRecord,
    OutboxChange,
    OutboxState,
    SyncBase,
    SyncConflict,
    SyncStateEntry,
)

SYNCED_MODELS: tuple[type[SyncedMixin], ...] = (
    Facility,
    Team,
    StaffMember,
    Partner,
    PartnerContact,
    PartnerService,
    Beneficiary,
    ConsentRecord,
    NeedsAssessment,
    ActionPlan,
    Goal,
    Action,
    FollowUpSession,
    SessionNote,
    Referral,
    CoordinationMeeting,
    MeetingParticipant,
    MeetingDecision,
    PostReleaseOutcome,
    DuplicateDecision,
    Appointment,
    QuickNote,
    CaseDocument,
    CaseTransfer,
    SyncConflict,
)
"""Every synced model, parents before children (the order a bulk load must follow)."""

__all__ = [
    "AccessAction",
    "AccessLogEntry",
    "Action",
    "ActionPlan",
    "Appointment",
    "Base",
    "Beneficiary",
    "CaseDocument",
    "CaseTransfer",
    "ConflictResolution",
    "ConsentRecord",
    "CoordinationMeeting",
    "DocumentChunk",
    "DocumentContent",
    "DuplicateDecision",
    "DuplicateVerdict",
    "Facility",
    "FollowUpSession",
    "Goal",
    "HeldRecord",
    "MeetingDecision",
    "MeetingParticipant",
    "NeedsAssessment",
    "OutboxChange",
    "OutboxState",
    "Partner",
    "PartnerContact",
    "PartnerService",
    "PostReleaseOutcome",
    "ProfileSetting",
    "QuickNote",
    "Referral",
    "SYNCED_MODELS",
    "SessionNote",
    "StaffMember",
    "SyncBase",
    "SyncConflict",
    "SyncStateEntry",
    "SyncedMixin",
    "Team",
]
