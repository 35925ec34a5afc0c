"""The partner directory: organisations, their contacts and the services they offer.

Partners mostly do not use Passerelle; the directory is what staff need to phone,
write to and refer people to them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import StringConstraints, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.i18n import _
from app.instruments import load_builtin
from app.models import Partner, PartnerContact, PartnerService
from app.security.permissions import Permission, require
from app.services.context import ServiceContext
from app.services.errors import NotFound
from app.services.validation import InputModel, provided, validate
from passerelle_core.enums import PartnerKind

NEEDS_INSTRUMENT = "passerelle-needs"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class _Input(InputModel):
    @field_validator("email", check_fields=False)
    @classmethod
    def _plausible_email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_PATTERN.match(value):
            raise ValueError(_("This is not an e-mail address."))
        return value


class PartnerFields(_Input):
    """Everything that describes a partner (all optional: used for updates)."""

    name: Name | None = None
    name_ar: Name | None = None
    kind: PartnerKind | None = None
    city: Short | None = None
    address: str | None = None
    phone: Phone | None = None
    email: Email | None = None
    notes: str | None = None


class NewPartner(PartnerFields):
    name: Name
    kind: PartnerKind = PartnerKind.NGO


class NewContact(_Input):
    full_name: Name
    position: Name | None = None
    phone: Phone | None = None
    email: Email | None = None


class NewService(_Input):
    name: Name
    domain_id: str | None = None
    description: str | None = None

    @field_validator("domain_id")
    @classmethod
    def _known_domain(cls, value: str | None) -> str | None:
        if value is not None and value not in _domain_ids():
            raise ValueError(_("Unknown needs domain."))
        return value


def create_partner(ctx: ServiceContext, data: Mapping[str, Any]) -> Partner:
    require(ctx, Permission.MANAGE_PARTNERS)
    fields = validate(NewPartner, data)
    with ctx.transaction() as session:
        partner = Partner(contacts=[], services=[], **fields.model_dump())
        session.add(partner)
        session.flush()
        return partner


def update_partner(
    ctx: ServiceContext, partner_id: uuid.UUID, changes: Mapping[str, Any]
) -> Partner:
    """Change only the given fields; a field set to None or "" is cleared."""
    require(ctx, Permission.MANAGE_PARTNERS)
    values = provided(PartnerFields, changes, required=("name", "kind"))
    with ctx.transaction() as session:
        partner = _load(session, partner_id)
        for name, value in values.items():
            setattr(partner, name, value)
        return partner


def add_contact(
    ctx: ServiceContext, partner_id: uuid.UUID, data: Mapping[str, Any]
) -> PartnerContact:
    """A person to call at the partner."""
    require(ctx, Permission.MANAGE_PARTNERS)
    fields = validate(NewContact, data)
    with ctx.transaction() as session:
        partner = _load(session, partner_id)
        contact = PartnerContact(partner=partner, **fields.model_dump())
        session.add(contact)
        session.flush()
        return contact


def add_service(
    ctx: ServiceContext,
    partner_id: uuid.UUID,
    *,
    name: str,
    domain_id: str | None = None,
    description: str | None = None,
) -> PartnerService:
    """What the partner offers, linked to the need domain it answers when there is one."""
    require(ctx, Permission.MANAGE_PARTNERS)
    fields = validate(
        NewService, {"name": name, "domain_id": domain_id, "description": description}
    )
    with ctx.transaction() as session:
        partner = _load(session, partner_id)
        service = PartnerService(partner=partner, **fields.model_dump())
        session.add(service)
        session.flush()
        return service


def get_partner(ctx: ServiceContext, partner_id: uuid.UUID) -> Partner:
    """The partner with its contacts and services."""
    with ctx.reading() as session:
        return _load(session, partner_id)


def list_partners(
    ctx: ServiceContext, *, kind: PartnerKind | None = None, domain_id: str | None = None
) -> list[Partner]:
    """Partners by name, optionally of one kind or offering a service in one need domain."""
    with ctx.reading() as session:
        query = _partners()
        if kind is not None:
            query = query.where(Partner.kind == kind)
        if domain_id is not None:
            offering = select(PartnerService.partner_id).where(
                PartnerService.domain_id == domain_id
            )
            query = query.where(Partner.id.in_(offering))
        partners = list(session.scalars(query))
    return sorted(partners, key=lambda partner: partner.name.casefold())


@dataclass(frozen=True)
class ContactEntry:
    """Someone to call at a partner, as the directory shows it (a read model)."""

    id: uuid.UUID
    full_name: str
    position: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class ServiceEntry:
    id: uuid.UUID
    name: str
    domain_id: str | None
    description: str | None


@dataclass(frozen=True)
class PartnerEntry:
    """A partner with its live contacts and services, frozen for the screens."""

    id: uuid.UUID
    name: str
    name_ar: str | None
    kind: PartnerKind
    city: str | None
    address: str | None
    phone: str | None
    email: str | None
    notes: str | None
    contacts: tuple[ContactEntry, ...] = ()
    services: tuple[ServiceEntry, ...] = ()


def directory(
    ctx: ServiceContext, *, kind: PartnerKind | None = None, domain_id: str | None = None
) -> list[PartnerEntry]:
    """:func:`list_partners` as read models (what the partner directory page lists)."""
    return [
        PartnerEntry(
            id=p.id,
            name=p.name,
            name_ar=p.name_ar,
            kind=p.kind,
            city=p.city,
            address=p.address,
            phone=p.phone,
            email=p.email,
            notes=p.notes,
            contacts=tuple(
                ContactEntry(c.id, c.full_name, c.position, c.phone, c.email) for c in p.contacts
            ),
            services=tuple(
                ServiceEntry(s.id, s.name, s.domain_id, s.description) for s in p.services
            ),
        )
        for p in list_partners(ctx, kind=kind, domain_id=domain_id)
    ]


def _partners() -> Select[Partner]:
    """Live partners with their live contacts and services, readable once detached."""
    return select(Partner).options(
        selectinload(Partner.contacts.and_(PartnerContact.deleted_at.is_(None))),
        selectinload(Partner.services.and_(PartnerService.deleted_at.is_(None))),
    )


def _load(session: Session, partner_id: uuid.UUID) -> Partner:
    partner = session.scalar(_partners().where(Partner.id == partner_id))
    if partner is None:
        raise NotFound(_("Partner"))
    return partner


def _domain_ids() -> set[str]:
    return {domain.id for domain in load_builtin(NEEDS_INSTRUMENT).domains}
