"""Personal documents as the person who receives them reads them: for a woman and a man,
in French and Arabic, numbers inside Arabic text in their own order, the person named
on every page, sentences about them agreeing with their sex, accessible PDFs.

Glyph order is read back from character positions (pdfplumber): the characters of one
baseline sorted left to right, as they are seen on paper.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pdfplumber
import pypdfium2
import pytest
from pypdf import PdfReader

from app.demo import DEMO_TODAY, fill_profile
from app.indicators import Period
from app.reports import render_activity_report, render_plan_summary
from app.reports.language import DocumentLanguage
from app.reports.referral_slip import render_referral_slip
from app.reports.subject_access import render_subject_access
from app.services import beneficiaries, consent, partners, plans, referrals, subject_access
from app.services.context import ServiceContext
from app.store.profile import Profile
from passerelle_core.enums import (
    ConsentPurpose,
    LegalStatus,
    PartnerKind,
    ResponsibleKind,
    StaffRole,
)
from tests.reports.conftest import BIDI_MARKS

PHONE = "06 40 93 56 53"
LAW = "09-08"
REGISTRATION = "OUK/2026/00417"
CIN = "BK482913"
ARABIC_WORDING = f"الاتصال بالجمعية على الرقم {PHONE} قبل الموعد، طبقا للقانون {LAW} وبنسبة 45,3 %"
PEOPLE = {
    "F": ("El Idrissi", "Fatima Zahra", "الإدريسي", "فاطمة الزهراء"),
    "M": ("Bennani", "Youssef", "بناني", "يوسف"),
}


def _case(ctx: ServiceContext, sex: str) -> uuid.UUID:
    last, first, last_ar, first_ar = PEOPLE[sex]
    person = beneficiaries.register(
        ctx,
        {
            "last_name": last,
            "first_name": first,
            "last_name_ar": last_ar,
            "first_name_ar": first_ar,
            "sex": sex,
            "cin": CIN,
            "registration_number": REGISTRATION,
            "phone": PHONE,
            "legal_status": LegalStatus.SENTENCED,
        },
    )
    review = ctx.today() + timedelta(days=90)
    plan = plans.draft_plan(ctx, person.id, title="Préparer la libération", review_date=review)
    for index in range(9):  # enough goals for a second page
        goal = plans.add_goal(
            ctx,
            plan.id,
            domain_id="housing" if index % 2 else "employment",
            wording=ARABIC_WORDING,
            target_date=ctx.today() + timedelta(days=30 + index),
        )
        plans.add_action(
            ctx,
            goal.id,
            description=f"Appeler le {PHONE} ({LAW})",
            responsible_kind=ResponsibleKind.BENEFICIARY,
        )
    plans.activate(ctx, plan.id)
    return person.id


def _lines(data: bytes) -> list[list[str]]:
    """Each page's lines as seen: characters of one baseline, left to right."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rows: dict[int, list[dict[str, object]]] = {}
            for char in page.chars:
                rows.setdefault(round(float(char["matrix"][5])), []).append(char)
            pages.append(
                [
                    "".join(str(c["text"]) for c in sorted(rows[y], key=lambda c: c["x0"]))
                    for y in sorted(rows, reverse=True)
                ]
            )
    return pages


def _text(data: bytes) -> list[str]:
    """Each page's text in logical order, as poppler extracts it (search, copy)."""
    import subprocess

    pages = []
    reader = PdfReader(io.BytesIO(data))
    for number in range(1, len(reader.pages) + 1):
        out = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-enc", "UTF-8", "-", "-"],
            input=data,
            capture_output=True,
            check=True,
        ).stdout.decode()
        pages.append(BIDI_MARKS.sub("", out))
    return pages


def _check_document(data: bytes, language: str, sex: str) -> list[str]:
    last, first, last_ar, first_ar = PEOPLE[sex]
    seen = _lines(data)
    texts = _text(data)
    assert len(seen) >= 2
    for page, (lines, text) in enumerate(zip(seen, texts, strict=True), start=1):
        joined = "\n".join(lines)
        # Identity on every page: both scripts and the number, and "page X of Y".
        assert REGISTRATION in joined, page
        assert last.upper() in text.upper() and first_ar in text, page
        footer = " ".join(lines[-3:])
        assert f"{page}" in footer and f"{len(seen)}" in footer
        # Never "08-09" nor a phone number read backwards, never a number cut in two.
        assert "08-09" not in joined and "08.09" not in joined
        assert "53 56 93 40 06" not in joined
        assert LAW in joined  # written 09-08 on every paper (docs/terminology.md)
        for line in lines:
            assert not line.rstrip().endswith(("06 40", "06 40 93", "09-", "OUK/2026/"))
    everything = "\n".join(texts)
    assert PHONE in everything and CIN in everything
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == language
    assert reader.metadata is not None and reader.metadata.title
    preferences = root.get("/ViewerPreferences", {})
    assert (preferences.get("/Direction") == "/R2L") == (language == "ar")
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all(font.startswith("/AAAAAA+Noto") for font in fonts), fonts  # all embedded
    return texts


@pytest.mark.parametrize("sex", ["F", "M"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_plan_summary_for_a_woman_and_a_man(ctx: ServiceContext, language: str, sex: str) -> None:
    case = _case(ctx, sex)
    texts = _check_document(render_plan_summary(ctx, case, language), language, sex)
    everything = "\n".join(texts)
    last_page = texts[-1]
    if language == "fr":
        expected = "Condamnée" if sex == "F" else "Condamné"
        assert expected in everything and "Condamné(e)" not in everything
        signer = "La bénéficiaire" if sex == "F" else "Le bénéficiaire"
        pronoun = "qu'elle accepte" if sex == "F" else "qu'il accepte"
        assert signer in last_page and pronoun in everything.replace("\n", " ")
    else:
        assert ("محكومة" in everything) == (sex == "F")
        signer = "المستفيدة" if sex == "F" else "المستفيد"
        assert signer in last_page
        assert ("بتوقيعها" in everything) == (sex == "F")
    assert "Signatures" in last_page or "التوقيعات" in last_page


@pytest.mark.parametrize("sex", ["F", "M"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_right_of_access_export_for_a_woman_and_a_man(
    ctx: ServiceContext,
    colleague: Callable[[StaffRole], ServiceContext],
    language: str,
    sex: str,
) -> None:
    case = _case(ctx, sex)
    access = subject_access.collect(colleague(StaffRole.SUPERVISOR), case)
    data = render_subject_access(access, language)
    texts = _check_document(data, language, sex)
    everything = "\n".join(texts)
    assert "Aucun." not in everything  # never disagreeing with a feminine heading
    if language == "ar":
        # The lam-alef ligature extracts in logical order (poppler and Chromium's pdfium).
        assert "الاسم" in everything
        pdf = pypdfium2.PdfDocument(data)
        assert "الاسم" in pdf[0].get_textpage().get_text_range()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_activity_report_reads_without_a_pencil(
    profile: Profile, ctx: ServiceContext, language: str
) -> None:
    fill_profile(profile, 120, seed=11)
    demo = ServiceContext(profile.sessions, ctx.actor, today=lambda: DEMO_TODAY)
    period = Period(date(2026, 7, 1), date(2026, 9, 30))
    data = render_activity_report(demo, period, None, language)
    seen = _lines(data)
    texts = _text(data)
    everything = "\n".join(texts)
    for lines in seen:
        for line in lines:
            # No heading cut inside a word or a bracket, no period date read backwards.
            assert not line.rstrip().endswith(("Commenc", "présenté(e", "(", "/")), line
            assert "2026/07/01" not in line and "2026/09/30" not in line
    assert "01/07/2026" in everything and "30/09/2026" in everything
    # Breakdowns show small counts of people as "< k" (k = 5 by default).
    assert "< 5" in everything
    # The sessions chart counts the period's three months only.
    months = [DocumentLanguage(language).month(date(2026, m, 1)) for m in range(1, 13)]
    shown = {month for month in months if month in everything}
    assert {months[6], months[7], months[8]} <= shown
    assert months[5] not in shown and months[9] not in shown
    # Partners numbered alike in the chart and the table.
    if "Aucune orientation" not in everything and "لم ترسل" not in everything:
        assert everything.count("1. ") + everything.count(" .1") >= 2  # poppler: ".1"


@pytest.mark.parametrize("sex", ["F", "M"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_referral_slip_for_a_woman_and_a_man(ctx: ServiceContext, language: str, sex: str) -> None:
    case = _case(ctx, sex)
    partner = partners.create_partner(
        ctx,
        {
            "name": "Association Amal pour la réinsertion",
            "name_ar": "جمعية الأمل لإعادة الإدماج",
            "kind": PartnerKind.NGO,
            "phone": "05 37 12 34 56",
        },
    )
    consent.record(ctx, case, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    referral = referrals.refer(ctx, case, partner.id, reason=ARABIC_WORDING)
    data = render_referral_slip(ctx, referral.id, language)
    seen = _lines(data)
    texts = _text(data)
    everything = "\n".join(texts)
    joined = "\n".join(line for lines in seen for line in lines)
    for page, text in enumerate(texts, start=1):
        assert REGISTRATION in text and PEOPLE[sex][3] in text, page
    assert referral.reference in joined and "05 37 12 34 56" in joined
    assert "56 34 12 37 05" not in joined and "53 56 93 40 06" not in joined
    consent_words = {
        ("fr", "F"): "La bénéficiaire a accepté",
        ("fr", "M"): "Le bénéficiaire a accepté",
        ("ar", "F"): "وافقت المستفيدة",
        ("ar", "M"): "وافق المستفيد",
    }
    assert consent_words[(language, sex)] in everything.replace("\n", " ")
