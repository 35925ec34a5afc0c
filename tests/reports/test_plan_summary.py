"""The plan summary, printed and read back as a reader would: in French and in Arabic."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import AccessAction, AccessLogEntry
from app.reports import NoPlanToPrint, render_plan_summary, write_plan_summary
from app.reports.document import BODY_WIDTH, Styles
from app.reports.language import DocumentLanguage
from app.reports.text import Layout
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.services.errors import NotFound
from tests.reports.conftest import (
    ARABIC_GOAL,
    PSYCHOLOGIST_NOTE,
    STANDARD_NOTE,
    PlannedCase,
    has_words,
    page_count,
    pdf_text,
)


def _page_labels(language: DocumentLanguage, pages: int) -> list[str]:
    label = language.gettext("Page {page} of {pages}")
    return [label.format(page=page, pages=pages) for page in range(1, pages + 1)]


def _assert_no_notes(text: str) -> None:
    for secret in (PSYCHOLOGIST_NOTE, STANDARD_NOTE, "NOTE-PSY-4417", "NOTE-STD-5521"):
        assert secret not in text
    assert "angoisses" not in text


def test_french_summary_has_identity_goals_actions_and_signatures(
    ctx: ServiceContext, planned_case: PlannedCase, tmp_path: Path
) -> None:
    out = write_plan_summary(ctx, planned_case.beneficiary_id, tmp_path / "plan.pdf", "fr")
    text = pdf_text(out)
    french = DocumentLanguage("fr")

    assert "BENNANI Youssef" in text
    assert "يوسف بناني" in text  # the Arabic spelling, read back in logical order
    assert "OUK/2026/00042" in text and "AB123456" in text
    assert "Prison locale Oukacha" in text
    assert planned_case.goal_wordings[1] in text
    # The Arabic goal, wrapped: pdftotext may move a clause of a right-to-left line about
    # in a left-to-right page, but each stretch reads in logical order.
    assert has_words(text, "إيجاد سكن لائق ومستقر قبل الإفراج")
    assert has_words(text, "الإجراءات الإدارية اللازمة")
    for action in planned_case.actions:
        assert action in text
    assert planned_case.partner in text
    assert french.domain("housing") in text  # the priority domain of the assessment
    assert french.short_date(planned_case.review_date) in text
    for label in ("The beneficiary", "The counsellor", "The supervisor"):
        assert french.gettext(label) in text
    pages = page_count(out)
    for label in _page_labels(french, pages):
        assert label in text
    _assert_no_notes(text)


def test_arabic_summary_reads_back_in_logical_order(
    ctx: ServiceContext, planned_case: PlannedCase, tmp_path: Path
) -> None:
    out = write_plan_summary(ctx, planned_case.beneficiary_id, tmp_path / "plan-ar.pdf", "ar")
    text = pdf_text(out)
    arabic = DocumentLanguage("ar")

    assert "يوسف بناني" in text
    assert "BENNANI Youssef" in text  # a Latin name in an Arabic document
    for wording in planned_case.goal_wordings:
        assert has_words(text, wording)
    assert has_words(text, arabic.domain("housing"))
    assert has_words(text, arabic.gettext("Goals and actions"))
    pages = page_count(out)
    for label in _page_labels(arabic, pages):
        assert has_words(text, label)
    _assert_no_notes(text)

    # A wrapped Arabic paragraph: its lines come out first line first.
    assert len(Layout(Styles.of(arabic).body).lines(ARABIC_GOAL, BODY_WIDTH)) >= 2
    assert has_words(text, ARABIC_GOAL)


def test_summary_is_a_pdf_in_memory_too(ctx: ServiceContext, planned_case: PlannedCase) -> None:
    assert render_plan_summary(ctx, planned_case.beneficiary_id, "ar").startswith(b"%PDF")


def test_unknown_or_deleted_beneficiary_writes_nothing(
    ctx: ServiceContext, planned_case: PlannedCase, out: Path
) -> None:
    with pytest.raises(NotFound):
        write_plan_summary(ctx, uuid.uuid4(), out / "plan.pdf")
    beneficiaries.delete(ctx, planned_case.beneficiary_id)
    with pytest.raises(NotFound, match="Beneficiary not found"):
        write_plan_summary(ctx, planned_case.beneficiary_id, out / "plan.pdf")
    assert list(out.iterdir()) == []


def test_beneficiary_without_plan_is_refused(ctx: ServiceContext, out: Path) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Samir"})
    with pytest.raises(NoPlanToPrint):
        write_plan_summary(ctx, person.id, out / "plan.pdf")
    assert list(out.iterdir()) == []


def test_printing_is_recorded_in_the_access_log(
    ctx: ServiceContext, planned_case: PlannedCase
) -> None:
    render_plan_summary(ctx, planned_case.beneficiary_id, "fr")
    with ctx.reading() as session:
        printed = session.execute(
            select(AccessLogEntry.staff_id, AccessLogEntry.record_id, AccessLogEntry.case_id).where(
                AccessLogEntry.action == AccessAction.PRINT
            )
        ).all()
    case = planned_case.beneficiary_id
    assert printed == [(ctx.actor.staff_id, case, case)]
