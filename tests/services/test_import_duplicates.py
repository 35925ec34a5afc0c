"""The import's dry run lists likely duplicates per line, in the file and in the caseload;
the import writes them (flagged), skips them, or links them to the file they match."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Beneficiary
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.services.import_report import summary_lines
from app.services.importer import DuplicateAction, import_beneficiaries
from passerelle_core.enums import Sex

LINES = [
    "Nom;Prénom;النسب بالعربية;CIN;Date de naissance;Sexe;Téléphone",
    "Drissi;Mhamed;ادريسي;;14/05/1990;H;0612345678",  # line 2: the caseload's El Idrissi
    "Bennani;Youssef;بناني;;02/03/1985;H;",  # line 3: new
    "Benani;Yousef;;CD998877;02/03/1985;H;0700000000",  # line 4: line 3 again
    "Bennani;Omar;بناني;;07/09/1985;H;",  # line 5: his brother, same year
    "Tazi;Omar;;AB123456;;H;",  # line 6: updates the file holding this CIN
    "Chraibi;Hicham;;;03/04/1992;H;",  # line 7: new
    "Chraïbi;Hisham;;;04/03/1992;H;",  # line 8: line 7, day and month swapped
]


@pytest.fixture
def caseload(ctx: ServiceContext) -> dict[str, uuid.UUID]:
    idrissi = beneficiaries.register(
        ctx,
        {"last_name": "El Idrissi", "first_name": "Mohamed", "last_name_ar": "الإدريسي",
         "birth_date": date(1990, 5, 14), "sex": Sex.MALE},
    )  # fmt: skip
    tazi = beneficiaries.register(
        ctx, {"last_name": "Tazi", "first_name": "Omar", "cin": "AB123456", "sex": Sex.MALE}
    )
    return {"idrissi": idrissi.id, "tazi": tazi.id}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "caseload.csv"
    file.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return file


def live_count(ctx: ServiceContext) -> int:
    with ctx.reading() as session:
        query = select(func.count()).select_from(Beneficiary)
        return session.scalar(query.where(Beneficiary.deleted_at.is_(None))) or 0


def test_the_dry_run_lists_likely_duplicates_in_the_file_and_the_caseload(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID], path: Path
) -> None:
    report = import_beneficiaries(ctx, path, dry_run=True)

    found = [(d.line, d.existing_id, d.other_line) for d in report.duplicates]
    assert found == [(2, caseload["idrissi"], None), (4, None, 3), (8, None, 7)]
    assert report.duplicates[0].score >= 80
    assert str(report.duplicates[1]).startswith("Line 4: likely the same person as line 3 (")
    assert "birth day and month swapped" in report.duplicates[2].reason
    assert "Mhamed" not in str(report.duplicates[0])  # the report names no one
    assert (report.created, report.updated) == (6, 1)
    assert "3 possible duplicates to check." in summary_lines(report)
    assert live_count(ctx) == 2


def test_skip_leaves_the_likely_duplicates_out(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID], path: Path
) -> None:
    dry = import_beneficiaries(ctx, path, dry_run=True, duplicates=DuplicateAction.SKIP)
    assert (dry.created, dry.updated, dry.skipped) == (3, 1, 3)
    assert "3 likely duplicate rows skipped." in summary_lines(dry)

    report = import_beneficiaries(ctx, path, duplicates=DuplicateAction.SKIP)

    assert report.applied and (report.created, report.skipped) == (3, 3)
    assert live_count(ctx) == 2 + 3


def test_link_completes_the_matched_file_and_never_overwrites(
    ctx: ServiceContext, caseload: dict[str, uuid.UUID], path: Path
) -> None:
    report = import_beneficiaries(ctx, path, duplicates=DuplicateAction.LINK)

    assert report.applied and (report.created, report.updated, report.linked) == (3, 1, 3)
    assert "3 rows completed the file they likely duplicate (empty fields only)." in (
        summary_lines(report)
    )
    assert live_count(ctx) == 2 + 3
    idrissi = beneficiaries.get(ctx, caseload["idrissi"])
    # The existing file keeps its names; it gains the phone it lacked.
    assert (idrissi.last_name, idrissi.first_name, idrissi.last_name_ar) == (
        "El Idrissi", "Mohamed", "الإدريسي",
    )  # fmt: skip
    assert idrissi.phone == "0612345678"
    with ctx.reading() as session:
        youssef = session.scalars(select(Beneficiary).where(Beneficiary.first_name == "Youssef"))
        new = youssef.one()
        assert (new.last_name, new.cin, new.phone) == ("Bennani", "CD998877", "0700000000")
        assert (
            session.scalars(select(Beneficiary).where(Beneficiary.first_name == "Yousef")).all()
            == []
        )
