"""Referrals to partners, which must work on paper and by phone.

A referral is only made with the beneficiary's consent to share with that partner. Its
reference is printed on the referral slip and read back over the phone, so it is short
and uses Crockford's base32 alphabet (no I, L or O to confuse with 1 and 0, no U).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import Action, ActionPlan, Beneficiary, Goal, Partner, PartnerService, Referral
from app.security.permissions import Permission, require
from app.services import consent
from app.services.context import ServiceContext
from app.services.errors import FieldError, InvalidTransition, ServiceError, ValidationFailed
from app.services.lookup import get_live
from app.services.validation import InputModel, fail, parse, require_not_future, validate
from passerelle_core.enums import ConsentPurpose, ReferralStatus

R = ReferralStatus
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    R.SENT: frozenset({R.ACCEPTED, R.REFUSED, R.NO_SHOW, R.CANCELLED}),
    R.ACCEPTED: frozenset({R.STARTED, R.NO_SHOW, R.CANCELLED, R.REFUSED}),
    R.STARTED: frozenset({R.COMPLETED, R.CANCELLED}),
    R.COMPLETED: frozenset(),
    R.REFUSED: frozenset(),
    R.NO_SHOW: frozenset(),
    R.CANCELLED: frozenset(),
}
TERMINAL = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
STATUS_LABELS = {
    R.SENT: N_("sent"),
    R.ACCEPTED: N_("accepted"),
    R.STARTED: N_("started"),
    R.COMPLETED: N_("completed"),
    R.REFUSED: N_("refused"),
    R.NO_SHOW: N_("no-show"),
    R.CANCELLED: N_("cancelled"),
}
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
MAX_ATTEMPTS = 20
# What people misread or mistype, mapped back to the symbol Crockford's alphabet uses.
_READ_BACK = str.maketrans({"O": "0", "I": "1", "L": "1"})


class _NewReferral(InputModel):
    service_id: uuid.UUID | None = None
    action_id: uuid.UUID | None = None
    reason: str | None = None
    sent_on: date | None = None


class _StatusChange(InputModel):
    status: ReferralStatus
    on: date | None = None
    outcome: str | None = None


def refer(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    partner_id: uuid.UUID,
    *,
    service_id: uuid.UUID | None = None,
    action_id: uuid.UUID | None = None,
    reason: str | None = None,
    sent_on: date | None = None,
) -> Referral:
    """A referral sent today unless said otherwise, with a new unique reference."""
    require(ctx, Permission.REFER)
    fields = parse(_NewReferral, locals())
    day = fields.sent_on or ctx.today()
    require_not_future(ctx, day, "sent_on")
    with ctx.transaction() as session:
        get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        get_live(session, Partner, partner_id, _("Partner"))
        _check_links(session, beneficiary_id, partner_id, fields)
        consent.require(session, beneficiary_id, ConsentPurpose.PARTNER_SHARING, partner_id)
        referral = Referral(
            reference=_new_reference(session, day.year),
            beneficiary_id=beneficiary_id,
            partner_id=partner_id,
            referred_by_id=ctx.actor.staff_id,
            status=R.SENT,
            status_changed_on=day,
            **fields.model_dump(exclude={"sent_on"}),
            sent_on=day,
        )
        session.add(referral)
        session.flush()
        return referral


def update_status(
    ctx: ServiceContext,
    referral_id: uuid.UUID,
    status: ReferralStatus,
    *,
    on: date | None = None,
    outcome: str | None = None,
) -> Referral:
    """Record what the person or the partner reported, as allowed by TRANSITIONS."""
    fields = validate(_StatusChange, {"status": status, "on": on, "outcome": outcome})
    day = fields.on or ctx.today()
    require_not_future(ctx, day, "on")
    with ctx.transaction() as session:
        referral = get_live(session, Referral, referral_id, _("Referral"))
        if fields.status not in TRANSITIONS[referral.status]:
            message = _("A referral cannot go from {current} to {target}.")
            raise InvalidTransition(
                message.format(
                    current=_(STATUS_LABELS[referral.status]),
                    target=_(STATUS_LABELS[fields.status]),
                )
            )
        if day < referral.sent_on:
            fail("on", _("This date is before the referral was sent."))
        referral.status, referral.status_changed_on = fields.status, day
        if outcome is not None:
            referral.outcome = fields.outcome
        return referral


def printable(ctx: ServiceContext, referral_id: uuid.UUID) -> Referral:
    """The referral, if its slip may be printed now; ConsentRequired if not.

    A slip hands the person's details to the partner: it needs the consent to share with
    that partner *today*, not only when the referral was sent (consent may have been
    withdrawn since). Whatever prints a slip asks this first.
    """
    with ctx.reading() as session:
        referral = get_live(session, Referral, referral_id, _("Referral"))
        consent.require(
            session, referral.beneficiary_id, ConsentPurpose.PARTNER_SHARING, referral.partner_id
        )
        return referral


def get_referral(ctx: ServiceContext, referral_id: uuid.UUID) -> Referral:
    with ctx.reading() as session:
        return get_live(session, Referral, referral_id, _("Referral"))


def find_by_reference(ctx: ServiceContext, reference: str) -> Referral | None:
    """The referral a slip or a phone call names, forgiving the usual misreadings."""
    wanted = reference.strip().upper().translate(_READ_BACK)
    with ctx.reading() as session:
        return session.scalar(select(Referral).where(Referral.reference == wanted))


def list_for_beneficiary(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[Referral]:
    """The beneficiary's referrals, newest first."""
    with ctx.reading() as session:
        query = (
            select(Referral)
            .where(Referral.beneficiary_id == beneficiary_id)
            .order_by(Referral.sent_on.desc(), Referral.created_at.desc())
        )
        return list(session.scalars(query))


def awaiting_outcome(ctx: ServiceContext) -> list[Referral]:
    """The actor's referrals still waiting for news, the longest waiting first."""
    with ctx.reading() as session:
        query = (
            select(Referral)
            .where(
                Referral.referred_by_id == ctx.actor.staff_id,
                Referral.status.not_in(TERMINAL),
                Referral.voided_at.is_(None),
            )
            .order_by(Referral.sent_on, Referral.created_at)
        )
        return list(session.scalars(query))


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _position in range(CODE_LENGTH))


def _new_reference(session: Session, year: int) -> str:
    """Unique among every referral ever stored here, deleted ones included."""
    for _attempt in range(MAX_ATTEMPTS):
        reference = f"REF-{year:04d}-{random_code()}"
        if session.scalar(select(Referral.id).where(Referral.reference == reference)) is None:
            return reference
    raise ServiceError(_("Could not generate a unique referral reference; try again."))


def _check_links(
    session: Session, beneficiary_id: uuid.UUID, partner_id: uuid.UUID, fields: _NewReferral
) -> None:
    """The service must be the partner's and the action one of the beneficiary's plan."""
    errors = []
    if fields.service_id is not None:
        service = session.get(PartnerService, fields.service_id)
        if service is None or service.deleted_at is not None or service.partner_id != partner_id:
            errors.append(FieldError("service_id", _("This partner offers no such service.")))
    if fields.action_id is not None:
        owner = session.scalar(
            select(ActionPlan.beneficiary_id)
            .join(Goal, Goal.plan_id == ActionPlan.id)
            .join(Action, Action.goal_id == Goal.id)
            .where(Action.id == fields.action_id)
        )
        if owner != beneficiary_id:
            errors.append(FieldError("action_id", _("No such action in this beneficiary's plan.")))
    if errors:
        raise ValidationFailed(errors)
