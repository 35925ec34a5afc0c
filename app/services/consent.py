"""Consent per purpose, with withdrawal. Other use cases ask :func:`require` first."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Beneficiary, ConsentRecord, Partner
from app.security.permissions import Permission
from app.security.permissions import require as require_permission
from app.services.context import ServiceContext
from app.services.errors import ConsentRequired, ServiceError
from app.services.lookup import get_live
from passerelle_core.enums import ConsentMethod, ConsentPurpose


def record(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    purpose: ConsentPurpose,
    given_on: date | None = None,
    method: ConsentMethod = ConsentMethod.WRITTEN,
    partner_id: uuid.UUID | None = None,
    notes: str | None = None,
) -> ConsentRecord:
    require_permission(ctx, Permission.RECORD_CONSENT)
    if purpose is ConsentPurpose.PARTNER_SHARING and partner_id is None:
        raise ServiceError(_("Consent to share must name the partner it covers."))
    if purpose is not ConsentPurpose.PARTNER_SHARING and partner_id is not None:
        raise ServiceError(_("Only consent to share names a partner."))
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        if partner_id is not None:
            get_live(session, Partner, partner_id, _("Partner"))
        consent = ConsentRecord(
            beneficiary_id=beneficiary_id,
            purpose=purpose,
            partner_id=partner_id,
            given_on=given_on or ctx.today(),
            method=method,
            recorded_by_id=ctx.actor.staff_id,
            notes=notes,
        )
        session.add(consent)
        session.flush()
        return consent


def withdraw(ctx: ServiceContext, consent_id: uuid.UUID, on: date | None = None) -> ConsentRecord:
    """From ``on`` the purpose is refused again: no new referral or slip for a withdrawn
    sharing consent, and no place in anonymised exports for a withdrawn statistics one."""
    require_permission(ctx, Permission.RECORD_CONSENT)
    with ctx.transaction() as session:
        consent = get_live(session, ConsentRecord, consent_id, _("Consent"))
        if consent.withdrawn_on is not None:
            raise ServiceError(_("This consent was already withdrawn."))
        consent.withdrawn_on = on or ctx.today()
        consent.withdrawn_by_id = ctx.actor.staff_id
        return consent


def list_for(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[ConsentRecord]:
    with ctx.reading() as session:
        query = (
            select(ConsentRecord)
            .where(
                ConsentRecord.beneficiary_id == beneficiary_id,
            )
            .order_by(ConsentRecord.given_on)
        )
        return list(session.scalars(query))


def has_active(
    session: Session,
    beneficiary_id: uuid.UUID,
    purpose: ConsentPurpose,
    partner_id: uuid.UUID | None = None,
) -> bool:
    query = select(ConsentRecord.id).where(
        ConsentRecord.beneficiary_id == beneficiary_id,
        ConsentRecord.purpose == purpose,
        ConsentRecord.withdrawn_on.is_(None),
    )
    if partner_id is not None:
        query = query.where(ConsentRecord.partner_id == partner_id)
    return session.scalar(query.limit(1)) is not None


def require(
    session: Session,
    beneficiary_id: uuid.UUID,
    purpose: ConsentPurpose,
    partner_id: uuid.UUID | None = None,
) -> None:
    """Refuse the operation unless an active consent covers it."""
    if has_active(session, beneficiary_id, purpose, partner_id):
        return
    messages = {
        ConsentPurpose.ASSESSMENT: _("Record the beneficiary's consent to assessment first."),
        ConsentPurpose.PARTNER_SHARING: _(
            "The beneficiary has not consented to sharing information with this partner."
        ),
        ConsentPurpose.STATISTICS: _("The beneficiary has not consented to statistical use."),
    }
    raise ConsentRequired(messages[purpose])
