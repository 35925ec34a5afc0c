"""A beneficiary with a full plan, built through the services, and PDF reading helpers.

PDFs are read back with poppler's ``pdftotext``, as a reader copying the text would get
it; bidi marks it adds around right-to-left runs are removed before comparing.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.instruments import load_builtin
from app.services import assessments, beneficiaries, consent, followup, partners, plans
from app.services.context import ServiceContext
from passerelle_core.enums import (
    Confidentiality,
    ConsentPurpose,
    PartnerKind,
    ResponsibleKind,
    SessionKind,
    StaffRole,
)

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PSYCHOLOGIST_NOTE = "Entretien confidentiel : angoisses nocturnes NOTE-PSY-4417"
STANDARD_NOTE = "Point d'étape sur la formation NOTE-STD-5521"
ARABIC_GOAL = (
    "إيجاد سكن لائق ومستقر قبل الإفراج بمساعدة الأسرة والجمعيات الشريكة في المدينة، "
    "مع تحضير ملف طلب الدعم لدى السلطات المحلية ومتابعة الإجراءات الإدارية اللازمة"
)
"""Long enough to wrap on two lines in both documents."""


def pdf_text(path: Path) -> str:
    """The text of a PDF in reading order (poppler), without bidi control marks."""
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return BIDI_MARKS.sub("", output)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the documents of a test (the profile lives beside it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def words(text: str) -> list[str]:
    """Runs of letters and runs of digits ("1من" is two words: pdftotext may glue them)."""
    return re.findall(r"[^\W\d_]+|\d+", text)


def has_words(text: str, phrase: str) -> bool:
    """``phrase``'s words, in order and side by side, somewhere in ``text``.

    Punctuation is ignored: pdftotext rebuilds the logical order of right-to-left lines
    from their layout, and may put a comma on the other side of a space.
    """
    wanted, found = words(phrase), words(text)
    return any(found[i : i + len(wanted)] == wanted for i in range(len(found) - len(wanted) + 1))


def page_count(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


@dataclass(frozen=True)
class PlannedCase:
    beneficiary_id: uuid.UUID
    goal_wordings: list[str]
    actions: list[str]
    review_date: date
    partner: str


def _answers(value: int, *domains: str) -> dict[str, int | None]:
    instrument = load_builtin(assessments.DEFAULT_INSTRUMENT)
    return {item.id: value for domain in domains for item in instrument.domain(domain).items}


@pytest.fixture
def planned_case(
    ctx: ServiceContext, colleague: Callable[[StaffRole], ServiceContext]
) -> PlannedCase:
    """Youssef Bennani (يوسف بناني): assessed, with an active plan of two goals, one of them
    worded in Arabic, and two follow-up sessions whose notes must never be printed."""
    person = beneficiaries.register(
        ctx,
        {
            "last_name": "Bennani",
            "first_name": "Youssef",
            "last_name_ar": "بناني",
            "first_name_ar": "يوسف",
            "cin": "AB123456",
            "registration_number": "OUK/2026/00042",
            "birth_date": date(1994, 5, 17),
            "sex": "M",
        },
    )
    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)
    assessments.record(ctx, person.id, {**_answers(3, "housing"), **_answers(1, "education")})
    anapec = partners.create_partner(
        ctx, {"name": "ANAPEC Salé", "kind": PartnerKind.PUBLIC_SERVICE}
    )
    review = ctx.today() + timedelta(days=90)
    plan = plans.draft_plan(ctx, person.id, title="Préparer la sortie", review_date=review)
    housing = plans.add_goal(ctx, plan.id, domain_id="housing", wording=ARABIC_GOAL)
    work = plans.add_goal(
        ctx,
        plan.id,
        domain_id="employment",
        wording="Trouver une formation qualifiante en menuiserie",
        target_date=ctx.today() + timedelta(days=120),
    )
    actions = ["Appeler sa sœur à Salé", "Inscription à l'ANAPEC", "Préparer un CV"]
    plans.add_action(
        ctx,
        housing.id,
        description=actions[0],
        responsible_kind=ResponsibleKind.BENEFICIARY,
        due_date=ctx.today() + timedelta(days=14),
    )
    plans.add_action(
        ctx,
        work.id,
        description=actions[1],
        responsible_kind=ResponsibleKind.PARTNER,
        partner_id=anapec.id,
    )
    plans.add_action(
        ctx,
        work.id,
        description=actions[2],
        responsible_kind=ResponsibleKind.STAFF,
        responsible_staff_id=ctx.actor.staff_id,
    )
    plans.activate(ctx, plan.id)
    psychologist = colleague(StaffRole.PSYCHOLOGIST)
    followup.record_session(
        psychologist,
        person.id,
        held_on=ctx.today(),
        kind=SessionKind.INDIVIDUAL,
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
        topic="Suivi psychologique",
        note=PSYCHOLOGIST_NOTE,
    )
    followup.record_session(ctx, person.id, held_on=ctx.today(), note=STANDARD_NOTE)
    return PlannedCase(
        beneficiary_id=person.id,
        goal_wordings=[ARABIC_GOAL, "Trouver une formation qualifiante en menuiserie"],
        actions=actions,
        review_date=review,
        partner="ANAPEC Salé",
    )
