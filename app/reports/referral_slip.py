"""The referral slip: the paper a beneficiary carries to a partner, in French or Arabic.

It names the person (both scripts, CIN, registration number), the partner and the
service, why they are referred, by whom and how to report back: the partner calls the
counsellor and quotes the slip's reference, printed large, which is all a phone call
needs (``app.services.referrals.find_by_reference``). Printing asks
:func:`app.services.referrals.printable` first: the slip hands personal details to the
partner, so the consent to share with that partner must hold today. The printing is
recorded in the access log.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.i18n import N_
from app.models import AccessAction, Beneficiary, Partner, PartnerService, StaffMember
from app.reports.blocks import heading, key_values, signatures
from app.reports.document import Letterhead, Styles, render_pdf, write_pdf
from app.reports.language import DocumentLanguage
from app.reports.letterhead import identity_line, organisation_lines
from app.reports.plan_data import Name, facility_of
from app.reports.text import Text
from app.services import audit, referrals
from app.services.context import ServiceContext
from passerelle_core.enums import Sex


@dataclass(frozen=True)
class SlipData:
    reference: str
    sent_on: date
    reason: str | None
    name: Name
    sex: Sex | None
    birth_date: date | None
    cin: str | None
    registration_number: str | None
    phone: str | None
    facility: Name | None
    partner: Name
    partner_phone: str | None
    partner_address: str | None
    service: str | None
    referred_by: Name | None
    referred_by_phone: str | None
    printed_on: date


def render_referral_slip(
    ctx: ServiceContext, referral_id: uuid.UUID, language: str = "fr"
) -> bytes:
    """The slip's PDF. Raises NotFound, or ConsentRequired when sharing is not consented."""
    data = _load(ctx, referral_id)
    document = _Renderer(data, DocumentLanguage(language)).render()
    audit.record_access(ctx, AccessAction.PRINT, "referral", referral_id)
    return document


def write_referral_slip(
    ctx: ServiceContext, referral_id: uuid.UUID, out: Path, language: str = "fr"
) -> Path:
    return write_pdf(render_referral_slip(ctx, referral_id, language), out)


def _load(ctx: ServiceContext, referral_id: uuid.UUID) -> SlipData:
    referral = referrals.printable(ctx, referral_id)
    with ctx.reading() as session:
        person = session.get(Beneficiary, referral.beneficiary_id)
        partner = session.get(Partner, referral.partner_id)
        assert person is not None and partner is not None  # printable() checked them
        service = session.get(PartnerService, referral.service_id) if referral.service_id else None
        staff = (
            session.get(StaffMember, referral.referred_by_id) if referral.referred_by_id else None
        )
        return SlipData(
            reference=referral.reference,
            sent_on=referral.sent_on,
            reason=referral.reason,
            name=Name(person.display_name, person.display_name_ar),
            sex=person.sex,
            birth_date=person.birth_date,
            cin=person.cin,
            registration_number=person.registration_number,
            phone=person.phone,
            facility=facility_of(session, person),
            partner=Name(partner.name, partner.name_ar),
            partner_phone=partner.phone,
            partner_address=partner.address,
            service=service.name if service else None,
            referred_by=Name(staff.full_name, staff.full_name_ar) if staff else None,
            referred_by_phone=staff.phone if staff else None,
            printed_on=ctx.today(),
        )


class _Renderer:
    def __init__(self, data: SlipData, language: DocumentLanguage) -> None:
        self.data, self.lang = data, language
        self.styles = Styles.of(language)
        self.rtl = language.rtl

    def name(self, name: Name | None) -> str:
        return name.in_language(self.lang.code) if name else "—"

    def render(self) -> bytes:
        _ = self.lang.gettext
        data, lang = self.data, self.lang
        title = _("Referral slip")
        letterhead = Letterhead(
            organisation=organisation_lines(lang, data.facility),
            title=title,
            subtitle=_("Printed on {date}").format(date=lang.short_date(data.printed_on)),
            footer_note=_(
                "Confidential: personal data protected by law 09-08, shared with this partner "
                "with the beneficiary's consent."
            ),
            page_label=_("Page {page} of {pages}"),
            identity=identity_line(lang, data.name, data.registration_number),
        )
        story: list[Flowable] = [
            Text(title, self.styles.title),
            Text(
                _("Reference: {reference}").format(reference=data.reference),
                self.styles.title.but(size=self.styles.title.size * 1.2, space_after=6),
            ),
            heading(_("Beneficiary"), self.styles),
            key_values(self.person(), self.styles, rtl=self.rtl),
            heading(_("Referred to"), self.styles),
            key_values(self.partner(), self.styles, rtl=self.rtl),
        ]
        if data.reason:
            story += [heading(_("Reason"), self.styles), Text(data.reason, self.styles.body)]
        story += self.closing()
        return render_pdf(story, lang, letterhead, title=title)

    def person(self) -> list[tuple[str, str]]:
        _ = self.lang.gettext
        data, lang = self.data, self.lang
        if self.rtl:
            names = [(_("Name"), data.name.arabic or data.name.latin)]
            names.append((_("Name in Latin script"), data.name.latin))
        else:
            names = [
                (_("Name"), data.name.latin),
                (_("Name in Arabic script"), data.name.arabic or ""),
            ]
        return [
            *names,
            (_("Birth date"), lang.short_date(data.birth_date)),
            (_("CIN"), data.cin or ""),
            (_("Registration number"), data.registration_number or ""),
            (_("Phone"), data.phone or ""),
        ]

    def partner(self) -> list[tuple[str, str]]:
        _ = self.lang.gettext
        data, lang = self.data, self.lang
        return [
            (_("Partner"), self.name(data.partner)),
            (_("Service"), data.service or ""),
            (_("Phone"), data.partner_phone or ""),
            (_("Address"), data.partner_address or ""),
            (_("Sent on"), lang.short_date(data.sent_on)),
            (_("Referred by"), self.name(data.referred_by)),
            (_("Counsellor's phone"), data.referred_by_phone or ""),
        ]

    def closing(self) -> list[Flowable]:
        _ = self.lang.gettext
        report_back = _(
            "To the partner: please tell the counsellor whether the person came and what was "
            "decided, quoting the reference {reference}."
        ).format(reference=self.data.reference)
        consent = self.lang.gendered(
            N_(
                "The beneficiary agreed that these details be shared with this partner for "
                "this referral."
            ),
            self.data.sex,
        )
        beneficiary = self.lang.gendered(N_("The beneficiary"), self.data.sex)
        labels = [beneficiary, _("The counsellor"), _("The partner")]
        return [
            KeepTogether(
                [
                    Spacer(1, 3 * mm),
                    Text(report_back, self.styles.body),
                    Text(consent, self.styles.muted),
                    heading(_("Signatures"), self.styles),
                    signatures(labels, _("Name, date and signature"), self.styles, rtl=self.rtl),
                ]
            )
        ]
