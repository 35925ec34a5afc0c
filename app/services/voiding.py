"""Voiding a session, assessment or referral recorded by mistake (see app.models.voiding).

The record stays, marked with when and why; only a reason makes the voiding
understandable to the colleague who reads the history later, so one is required.
A voided record cannot be voided again (the first reason stands).
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from app.i18n import _
from app.models import FollowUpSession, NeedsAssessment, Referral
from app.models.base import utcnow
from app.security.permissions import Permission, require
from app.services import followup
from app.services.context import ServiceContext
from app.services.errors import InvalidTransition
from app.services.lookup import get_live
from app.services.validation import Text, validate


class _Void(BaseModel):
    reason: Text


Voidable = FollowUpSession | NeedsAssessment | Referral
WHAT = {
    FollowUpSession: lambda: _("Session"),
    NeedsAssessment: lambda: _("Assessment"),
    Referral: lambda: _("Referral"),
}


def void(
    ctx: ServiceContext,
    model: type[FollowUpSession] | type[NeedsAssessment] | type[Referral],
    record_id: uuid.UUID,
    reason: str,
) -> Voidable:
    """Mark the record as entered by mistake, with ``reason``; it leaves every count."""
    require(ctx, Permission.WRITE_CASE)
    text = validate(_Void, {"reason": reason}).reason
    with ctx.transaction() as session:
        if model is FollowUpSession:  # a psychologist-only session is invisible to others
            followup.visible_session(ctx, session, record_id)
        record: Voidable = get_live(session, model, record_id, WHAT[model]())
        if record.voided_at is not None:
            raise InvalidTransition(_("This record was already cancelled."))
        record.voided_at = utcnow()
        record.void_reason = text
        record.updated_by_id = ctx.actor.staff_id
        return record
