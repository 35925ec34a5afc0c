"""The anonymised case list: nothing that identifies a person, only those who consented."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import exists, select

from app.demo import DEMO_TODAY, fill_profile
from app.indicators import Period
from app.models import AccessAction, AccessLogEntry, Beneficiary, ConsentRecord
from app.reports import ExportFormat, write_case_list, write_indicators
from app.services import consent
from app.services.context import ServiceContext
from app.store.profile import Profile
from passerelle_core.enums import ConsentPurpose


@pytest.fixture
def demo(profile: Profile, ctx: ServiceContext) -> ServiceContext:
    fill_profile(profile, 40, seed=11)
    return ServiceContext(profile.sessions, ctx.actor, today=lambda: DEMO_TODAY)


def _consenting(ctx: ServiceContext) -> int:
    consented = exists().where(
        ConsentRecord.beneficiary_id == Beneficiary.id,
        ConsentRecord.purpose == ConsentPurpose.STATISTICS,
        ConsentRecord.withdrawn_on.is_(None),
        ConsentRecord.deleted_at.is_(None),
    )
    with ctx.reading() as session:
        query = select(Beneficiary.id).where(Beneficiary.deleted_at.is_(None), consented)
        return len(list(session.scalars(query)))


def _identifying(ctx: ServiceContext) -> tuple[set[str], set[int]]:
    """Every name, number and birth date of the caseload as text, and the birth years."""
    with ctx.reading() as session:
        people = list(session.scalars(select(Beneficiary)))
    texts: set[str] = set()
    for person in people:
        names = (person.last_name, person.first_name, person.last_name_ar, person.first_name_ar)
        texts.update(name for name in names if name and len(name) > 3)
        texts.update(value for value in (person.cin, person.registration_number) if value)
        if person.birth_date:
            texts.add(person.birth_date.isoformat())
            texts.add(person.birth_date.strftime("%d/%m/%Y"))
    return texts, {p.birth_date.year for p in people if p.birth_date}


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


def _xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet as text, rows padded to the header (trailing empty cells are not
    stored in the file)."""
    rows = list(openpyxl.load_workbook(path, read_only=True).worksheets[0].values)
    width = len(rows[0])
    padded = [list(row) + [None] * (width - len(row)) for row in rows]
    return [[_shown(value) for value in row] for row in padded]


def _shown(value: object) -> str:
    """A cell as the CSV writes it: months are real dates in the XLSX."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m")
    return "" if value is None else str(value)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_case_list_has_no_names_numbers_nor_birth_dates(
    demo: ServiceContext, tmp_path: Path, language: str
) -> None:
    as_csv = write_case_list(demo, tmp_path / "cases.csv", ExportFormat.CSV, language=language)
    as_xlsx = write_case_list(demo, tmp_path / "cases.xlsx", ExportFormat.XLSX, language=language)
    csv_rows, xlsx_rows = _csv_rows(as_csv.path), _xlsx_rows(as_xlsx.path)

    assert as_csv.rows == as_xlsx.rows == len(csv_rows) - 1
    assert as_csv.rows + as_csv.suppressed == _consenting(demo)
    assert csv_rows == xlsx_rows
    identifying, birth_years = _identifying(demo)
    cells = {cell for row in csv_rows for cell in row}
    content = as_csv.path.read_text(encoding="utf-8-sig")
    leaked = [text for text in identifying if text in cells or f";{text};" in content]
    assert leaked == []
    header = csv_rows[0]
    bands = {row[1] for row in csv_rows[1:] if row[1]}
    assert bands and all("–" in band for band in bands)  # ages in bands, no birth year
    assert not {str(year) for year in birth_years} & cells
    assert [row[0] for row in csv_rows[1:]] == [str(n) for n in range(1, as_csv.rows + 1)]
    assert len(header) == len(csv_rows[1])


def test_withdrawn_consent_leaves_the_list(demo: ServiceContext, tmp_path: Path) -> None:
    before = write_case_list(demo, tmp_path / "before.csv", ExportFormat.CSV, k=1).rows
    with demo.reading() as session:
        given = session.scalars(
            select(ConsentRecord).where(
                ConsentRecord.purpose == ConsentPurpose.STATISTICS,
                ConsentRecord.withdrawn_on.is_(None),
            )
        ).first()
        assert given is not None
    consent.withdraw(demo, given.id)
    assert write_case_list(demo, tmp_path / "after.csv", ExportFormat.CSV, k=1).rows == before - 1


def test_a_period_narrows_the_list_to_the_cases_followed(
    demo: ServiceContext, tmp_path: Path
) -> None:
    everyone = write_case_list(demo, tmp_path / "all.csv", ExportFormat.CSV).rows
    old = Period(date(2001, 1, 1), date(2001, 12, 31))
    assert write_case_list(demo, tmp_path / "old.csv", ExportFormat.CSV, old).rows == 0
    recent = Period(date(2026, 10, 1), date(2026, 10, 31))
    assert (
        0 < write_case_list(demo, tmp_path / "oct.csv", ExportFormat.CSV, recent).rows <= everyone
    )


def test_an_export_into_a_missing_folder_names_the_folder(
    demo: ServiceContext, tmp_path: Path
) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as raised:
        write_indicators(demo, Period.month(DEMO_TODAY), missing / "x.csv", ExportFormat.CSV)
    assert raised.value.filename == str(missing)


def test_exports_are_recorded_in_the_access_log(demo: ServiceContext, tmp_path: Path) -> None:
    write_case_list(demo, tmp_path / "cases.csv", ExportFormat.CSV)
    write_indicators(demo, Period.month(DEMO_TODAY), tmp_path / "i.xlsx", ExportFormat.XLSX)
    with demo.reading() as session:
        exported = session.scalars(
            select(AccessLogEntry.record_type)
            .where(AccessLogEntry.action == AccessAction.EXPORT)
            .order_by(AccessLogEntry.seq)
        ).all()
    assert exported == ["case_list", "indicators"]
