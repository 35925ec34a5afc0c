"""``passerelle report`` and ``passerelle export`` end to end, as support staff run them."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import ActionPlan
from app.reports.language import DocumentLanguage
from app.store.profile import Profile
from tests.cli.test_cli import PASSPHRASE, assert_one_line_error, passerelle
from tests.reports.conftest import has_words, page_count, pdf_text


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report-cli") / "profile"
    created = passerelle(
        "init", "--profile", folder, "--name", "Nadia Berrada", "--role", "supervisor"
    )
    assert created.returncode == 0, created.stderr
    filled = passerelle("demo", "--profile", folder, "--beneficiaries", "40", "--seed", "3")
    assert filled.returncode == 0, filled.stderr
    return folder


@pytest.fixture(scope="module")
def with_plan(demo_profile: Path) -> uuid.UUID:
    with Profile.open(demo_profile, PASSPHRASE) as profile, profile.sessions() as session:
        found = session.scalar(select(ActionPlan.beneficiary_id).limit(1))
    assert found is not None
    return found


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_report_plan_writes_the_pdf(
    demo_profile: Path, with_plan: uuid.UUID, tmp_path: Path, language: str
) -> None:
    out = tmp_path / f"plan-{language}.pdf"
    result = passerelle(
        "report", "plan", "--profile", demo_profile, "--beneficiary", str(with_plan),
        "--lang", language, "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout  # messages stay in English (--lang before the command)
    assert out.read_bytes().startswith(b"%PDF")
    pages = page_count(out)
    label = DocumentLanguage(language).gettext("Page {page} of {pages}")
    assert has_words(pdf_text(out), label.format(page=pages, pages=pages))


@pytest.mark.parametrize("wrong", ["3f2b8c1e-9d4a-4e6b-8a71-0c5d2e9f4b13", "not-an-id"])
def test_report_plan_with_a_wrong_id_is_one_clear_line(
    demo_profile: Path, tmp_path: Path, wrong: str
) -> None:
    out = tmp_path / "plan.pdf"
    result = passerelle(
        "report", "plan", "--profile", demo_profile, "--beneficiary", wrong, "--out", out
    )
    assert_one_line_error(result, "Beneficiary not found.")
    assert not out.exists()


def test_report_activity_for_a_facility(demo_profile: Path, tmp_path: Path) -> None:
    out = tmp_path / "activity.pdf"
    result = passerelle(
        "report", "activity", "--profile", demo_profile, "--from", "2026-10-01",
        "--to", "2026-10-31", "--facility", "Prison locale Oukacha", "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    assert "Prison locale Oukacha" in text


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (("2001-01-01", "2001-01-31"), "Nothing to report"),
        (("2026-10-31", "2026-10-01"), "The period ends before it starts."),
        (("2026-10-01", "31/10/2026"), "31/10/2026 is not a date"),
    ],
)
def test_report_activity_refuses_an_empty_or_wrong_period(
    demo_profile: Path, tmp_path: Path, period: tuple[str, str], message: str
) -> None:
    out = tmp_path / "activity.pdf"
    result = passerelle(
        "report", "activity", "--profile", demo_profile, "--from", period[0], "--to", period[1],
        "--out", out,
    )  # fmt: skip
    assert_one_line_error(result, message)
    assert not out.exists()


def test_unknown_facility_is_one_clear_line(demo_profile: Path, tmp_path: Path) -> None:
    result = passerelle(
        "report", "activity", "--profile", demo_profile, "--from", "2026-10-01",
        "--to", "2026-10-31", "--facility", "Nowhere", "--out", tmp_path / "a.pdf",
    )  # fmt: skip
    assert_one_line_error(result, "Facility not found.")


def test_export_cases_and_indicators(demo_profile: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    result = passerelle(
        "export", "--profile", demo_profile, "--what", "cases", "--format", "csv", "--out", cases
    )
    assert result.returncode == 0, result.stderr
    with open(cases, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=";"))
    assert result.stdout.startswith(f"{len(rows) - 1} rows written")
    indicators = tmp_path / "indicators.xlsx"
    result = passerelle(
        "export", "--profile", demo_profile, "--what", "indicators", "--format", "xlsx",
        "--from", "2026-10-01", "--to", "2026-10-31", "--lang", "ar", "--out", indicators,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert indicators.stat().st_size > 0


def test_report_slip_from_the_reference_read_over_the_phone(
    demo_profile: Path, tmp_path: Path
) -> None:
    from app.models import ConsentRecord, Referral
    from passerelle_core.enums import ConsentPurpose

    with Profile.open(demo_profile, PASSPHRASE) as profile, profile.sessions() as session:
        shared = select(Referral.reference).join(
            ConsentRecord,
            (ConsentRecord.beneficiary_id == Referral.beneficiary_id)
            & (ConsentRecord.partner_id == Referral.partner_id)
            & (ConsentRecord.purpose == ConsentPurpose.PARTNER_SHARING)
            & ConsentRecord.withdrawn_on.is_(None)
            & ConsentRecord.deleted_at.is_(None),
        )
        reference = session.scalar(shared.where(Referral.deleted_at.is_(None)).limit(1))
    assert reference is not None
    out = tmp_path / "slip.pdf"
    result = passerelle(
        "report", "slip", "--profile", demo_profile, "--referral", reference.lower(),
        "--lang", "ar", "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert reference in pdf_text(out)
