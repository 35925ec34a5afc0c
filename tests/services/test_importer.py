"""Importing a team's spreadsheet of beneficiaries: real files, a real encrypted profile."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.models import Beneficiary, Facility
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.services.importer import (
    ImportFileError,
    ImportReport,
    RowError,
    import_beneficiaries,
    read_table,
)
from passerelle_core.enums import LegalStatus, Sex

HEADER = "last_name,first_name,cin,birth_date,sex,facility,legal_status,expected_release_date"


def write_csv(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def all_beneficiaries(ctx: ServiceContext) -> list[Beneficiary]:
    with ctx.reading() as session:
        query = (
            select(Beneficiary)
            .where(Beneficiary.deleted_at.is_(None))
            .options(selectinload(Beneficiary.facility))
        )
        return list(session.scalars(query.order_by(Beneficiary.last_name)))


def facility_names(ctx: ServiceContext) -> list[str]:
    with ctx.reading() as session:
        return sorted(session.scalars(select(Facility.name)))


def only(ctx: ServiceContext) -> Beneficiary:
    (beneficiary,) = all_beneficiaries(ctx)
    return beneficiary


def messages(report: ImportReport) -> list[str]:
    return [str(error) for error in report.errors] + report.warnings


# --- Reading the file -----------------------------------------------------------------


def test_csv_rows_become_beneficiaries_of_the_acting_staff_member(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "team.csv",
        HEADER + ",phone,intake_date",
        "Alaoui,Karim,ab123456,1990-04-12,M,Prison locale Oukacha,sentenced,2026-01-31,"
        "0612345678,2024-03-01",
        "Bennani,Salma,,1995-07-30,F,,pre_trial,,,",
    )

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.updated, report.rejected) == (2, 0, 0)
    assert report.applied and not report.dry_run
    assert report.errors == [] and report.warnings == [] and report.new_facilities == []
    karim, salma = all_beneficiaries(ctx)
    assert karim.cin == "AB123456"
    assert karim.birth_date == date(1990, 4, 12)
    assert karim.sex is Sex.MALE
    assert karim.legal_status is LegalStatus.SENTENCED
    assert karim.expected_release_date == date(2026, 1, 31)
    assert karim.phone == "0612345678"
    assert karim.intake_date == date(2024, 3, 1)
    assert karim.facility is not None and karim.facility.name == "Prison locale Oukacha"
    assert karim.assigned_staff_id == ctx.actor.staff_id
    assert karim.team_id == ctx.actor.team_id
    assert salma.cin is None and salma.facility_id is None
    assert salma.intake_date == ctx.today()


def test_xlsx_with_real_date_cells_and_numbers(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "team.xlsx",
        [
            ["Last_Name", "First_Name", "registration_number", "birth_date", "phone", "sex"],
            ["Alaoui", "Karim", 20240117, datetime(1990, 4, 12), 612345678, "H"],
            [None, None, None, None, None, None],
            ["Bennani", "Salma", 98765.0, date(1995, 7, 30), None, "femme"],
        ],
    )

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.errors) == (2, [])
    karim, salma = all_beneficiaries(ctx)
    assert karim.registration_number == "20240117"
    assert karim.birth_date == date(1990, 4, 12)
    assert karim.phone == "612345678"
    assert karim.sex is Sex.MALE
    assert salma.registration_number == "98765"
    assert salma.birth_date == date(1995, 7, 30)
    assert salma.sex is Sex.FEMALE


def test_xlsx_cin_typed_as_a_number_is_an_error_not_a_crash(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "team.xlsx",
        [["last_name", "first_name", "cin"], ["Alaoui", "Karim", 987654]],
    )

    report = import_beneficiaries(ctx, path)

    assert [(error.line, error.column) for error in report.errors] == [(2, "cin")]
    assert "987654" not in report.errors[0].message
    assert all_beneficiaries(ctx) == []


def test_bom_semicolons_spaced_headers_and_french_labels(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "equipe.csv"
    path.write_bytes(
        codecs.BOM_UTF8
        + (
            " Last_Name ;FIRST_NAME;Legal_Status;sex;Birth_Date\r\n"
            "Alaoui;Karim;Prévenu;h;1990-04-12\r\n"
            "Bennani;Salma;LIBERATION CONDITIONNELLE;F;1995-07-30\r\n"
            "Chraibi;Omar;condamne;M;\r\n"
            "Daoudi;Nadia;libérée;femme;\r\n"
        ).encode()
    )

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.errors, report.warnings) == (4, [], [])
    statuses = [beneficiary.legal_status for beneficiary in all_beneficiaries(ctx)]
    assert statuses == [
        LegalStatus.PRE_TRIAL,
        LegalStatus.CONDITIONAL_RELEASE,
        LegalStatus.SENTENCED,
        LegalStatus.RELEASED,
    ]


def test_arabic_names_round_trip_from_csv_and_xlsx(ctx: ServiceContext, tmp_path: Path) -> None:
    header = ["last_name", "first_name", "last_name_ar", "first_name_ar", "cin"]
    write_csv(tmp_path / "a.csv", ",".join(header), "Alaoui,Karim,العلوي,كريم,AB1")
    write_xlsx(tmp_path / "b.xlsx", [header, ["Bennani", "Salma", "بناني", "سلمى", "AB2"]])

    import_beneficiaries(ctx, tmp_path / "a.csv")
    import_beneficiaries(ctx, tmp_path / "b.xlsx")

    karim, salma = all_beneficiaries(ctx)
    assert (karim.last_name_ar, karim.first_name_ar) == ("العلوي", "كريم")
    assert (salma.last_name_ar, salma.first_name_ar) == ("بناني", "سلمى")


def test_header_only_empty_file_and_unsupported_type_are_refused(tmp_path: Path) -> None:
    for path, content in [
        (tmp_path / "empty.csv", b""),
        (tmp_path / "blank.csv", b"\n ; \n\n"),
        (tmp_path / "header.csv", HEADER.encode()),
        (tmp_path / "old.xls", b"whatever"),
        (tmp_path / "fake.xlsx", b"not a zip"),
    ]:
        path.write_bytes(content)
        with pytest.raises(ImportFileError):
            read_table(path)
    with pytest.raises(ImportFileError):
        read_table(tmp_path / "missing.csv")


def test_missing_required_column_refuses_the_whole_file(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "team.csv", "last_name,cin", "Alaoui,AB123456")

    with pytest.raises(ImportFileError, match="first_name"):
        import_beneficiaries(ctx, path)
    assert all_beneficiaries(ctx) == []


def test_a_repeated_header_is_numbered_and_listed_not_imported(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "team.csv", "last_name,first_name,Last_Name", "A,B,C")

    report = import_beneficiaries(ctx, path)

    assert report.warnings == ["Column “Last_Name (2)” is not imported."]
    assert only(ctx).last_name == "A"


def test_unknown_columns_are_reported_once_and_ignored(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,notes,Religion",
        "Alaoui,Karim,whatever,x",
        "Bennani,Salma,other,y",
    )

    report = import_beneficiaries(ctx, path)

    assert report.created == 2
    assert report.warnings == [
        "Column “notes” is not imported.",
        "Column “Religion” is not imported.",
    ]


def test_values_under_no_column_name_make_the_row_an_error(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    """An unquoted comma in an address shifts the cells: better refused than misfiled."""
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,,first_name,address",
        "Alaoui,,Karim,12 rue Ibn Batouta",
        "Bennani,x,Salma,",
        "Chraibi,,Omar,3 rue Allal, Fès",
    )

    report = import_beneficiaries(ctx, path)

    assert report.created == 1
    assert [(error.line, error.column) for error in report.errors] == [(3, None), (4, None)]
    assert str(report.errors[0]) == "Line 3: This line has values in a column without a header."


# --- Matching what the profile already holds -------------------------------------------


def test_known_cin_updates_the_beneficiary_with_the_filled_cells(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    existing = beneficiaries.register(
        ctx,
        {"last_name": "Alaoui", "first_name": "Karim", "cin": "AB123456", "phone": "0600000000"},
    )
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,cin,phone,legal_status",
        ",,ab 123456,0611111111,released",
        "Bennani,Salma,CD654321,,",
    )

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.updated, report.errors) == (1, 1, [])
    karim, salma = all_beneficiaries(ctx)
    assert karim.id == existing.id
    assert (karim.last_name, karim.first_name) == ("Alaoui", "Karim")
    assert karim.phone == "0611111111"
    assert karim.legal_status is LegalStatus.RELEASED
    assert karim.row_version == 2
    assert salma.cin == "CD654321"


def test_a_deleted_beneficiary_does_not_capture_the_row(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    gone = beneficiaries.register(ctx, {"last_name": "A", "first_name": "B", "cin": "AB1"})
    beneficiaries.delete(ctx, gone.id)
    path = write_csv(tmp_path / "team.csv", "last_name,first_name,cin", "Alaoui,Karim,AB1")

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.updated) == (1, 0)
    assert only(ctx).id != gone.id


def test_same_cin_twice_in_the_file_makes_the_second_row_an_error(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,cin",
        "Alaoui,Karim,AB123456",
        "Alaoui,Karim,ab123456",
    )

    report = import_beneficiaries(ctx, path)

    assert report.errors == [RowError(3, "cin", "This CIN already appears on line 2.")]
    assert not report.applied
    assert all_beneficiaries(ctx) == []


def test_facility_matched_by_name_or_code_ignoring_case_and_accents(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    with ctx.transaction() as session:
        session.add(Facility(code="SALE-1", name="Prison locale de Salé"))
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,facility",
        "Alaoui,Karim,PRISON LOCALE DE SALE",
        "Bennani,Salma,sale-1",
        "Chraibi,Omar,  prison locale  oukacha ",
        "Daoudi,Nadia,Centre de réforme Aïn Sebaâ",
        "El Fassi,Youssef,centre de REFORME ain sebaa",
    )

    report = import_beneficiaries(ctx, path)

    assert report.errors == []
    assert report.new_facilities == ["Centre de réforme Aïn Sebaâ"]
    assert facility_names(ctx) == [
        "Centre de réforme Aïn Sebaâ",
        "Prison locale Oukacha",
        "Prison locale de Salé",
    ]
    karim, salma, omar, nadia, youssef = all_beneficiaries(ctx)
    assert karim.facility_id == salma.facility_id
    assert karim.facility is not None and karim.facility.code == "SALE-1"
    assert omar.facility is not None and omar.facility.name == "Prison locale Oukacha"
    assert nadia.facility_id == youssef.facility_id
    assert nadia.facility is not None and nadia.facility.code.startswith("CENTREDE-")


# --- Bad rows -------------------------------------------------------------------------


BAD_FILE = (
    "last_name,first_name,cin,birth_date,sex,legal_status",
    "Alaoui,Karim,AB123456,1990-04-12,M,sentenced",
    "",
    "Zerhouni,Fatima-Zahra,ZZ987654,12/05/1988,X,en fuite",
    "Bennani,Salma,CD654321,1995-07-30,F,pre_trial",
)


def test_one_bad_row_and_nothing_is_written(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "team.csv", *BAD_FILE)

    report = import_beneficiaries(ctx, path)

    assert not report.applied
    assert (report.created, report.updated, report.rejected) == (2, 0, 1)
    assert [(error.line, error.column) for error in report.errors] == [
        (4, "birth_date"),
        (4, "sex"),
        (4, "legal_status"),
    ]
    assert all_beneficiaries(ctx) == []


def test_skip_invalid_imports_the_valid_rows_only(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "team.csv", *BAD_FILE)

    report = import_beneficiaries(ctx, path, skip_invalid=True)

    assert report.applied
    assert (report.created, report.rejected) == (2, 1)
    assert {error.line for error in report.errors} == {4}
    assert [b.cin for b in all_beneficiaries(ctx)] == ["AB123456", "CD654321"]


def test_error_messages_never_contain_the_rows_personal_values(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,cin,birth_date,phone,facility",
        "Zerhouni,Fatima-Zahra,ZZ98X7654,1788-01-01,0612345678,Prison de Zerhouni" + "x" * 200,
        "Zerhouni,Fatima-Zahra," + "Q" * 30 + ",2400-01-01," + "9" * 60 + ",",
        ",Zerhounia,,,,,",
        "Zerhouni" * 20 + ",Fatima-Zahra,ZZ987654,,,,stray",
    )

    report = import_beneficiaries(ctx, path)

    assert report.rejected == 4
    assert {error.line for error in report.errors} == {2, 3, 4, 5}
    for message in messages(report):
        for personal in ("Zerhouni", "Fatima", "ZZ98", "QQQ", "9999", "0612", "1788", "2400"):
            assert personal.casefold() not in message.casefold()


def test_line_numbers_are_those_the_spreadsheet_shows(ctx: ServiceContext, tmp_path: Path) -> None:
    csv_path = write_csv(
        tmp_path / "team.csv",
        "",
        "last_name,first_name,birth_date",
        "Alaoui,Karim,1990-04-12",
        ",,",
        "",
        'Bennani,"Salma',
        'Amal",1995-02-30',
    )
    xlsx_path = write_xlsx(
        tmp_path / "team.xlsx",
        [
            [],
            ["last_name", "first_name", "birth_date"],
            ["Alaoui", "Karim", date(1990, 4, 12)],
            [],
            [None, None, None],
            ["Bennani", "Salma", "1995-02-30"],
        ],
    )

    for path in (csv_path, xlsx_path):
        report = import_beneficiaries(ctx, path, dry_run=True)
        assert report.errors == [RowError(6, "birth_date", "This date does not exist.")]
        assert str(report.errors[0]) == "Line 6, column birth_date: This date does not exist."


def test_dry_run_validates_and_reports_but_writes_nothing(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Karim", "cin": "AB1"})
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,cin,facility,phone",
        "Alaoui,Karim,AB1,Centre Nouveau,0611111111",
        "Bennani,Salma,AB2,Centre Nouveau,",
    )

    report = import_beneficiaries(ctx, path, dry_run=True)

    assert report.dry_run and not report.applied
    assert (report.created, report.updated, report.errors) == (1, 1, [])
    assert report.new_facilities == ["Centre Nouveau"]
    assert only(ctx).phone is None
    assert "Centre Nouveau" not in facility_names(ctx)


def test_a_new_facility_named_only_by_invalid_rows_is_not_created(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "team.csv",
        "last_name,first_name,facility,sex",
        "Alaoui,Karim,Centre Fantôme,X",
        "Bennani,Salma,,F",
    )

    report = import_beneficiaries(ctx, path, skip_invalid=True)

    assert (report.created, report.rejected, report.new_facilities) == (1, 1, [])
    assert facility_names(ctx) == ["Prison locale Oukacha"]


@pytest.mark.slow
def test_ten_thousand_rows_in_one_transaction(ctx: ServiceContext, tmp_path: Path) -> None:
    lines = ["last_name;first_name;cin;birth_date;sex;facility;legal_status"]
    lines += [
        f"Nom{i};Prénom{i};AB{i:06d};1990-01-02;F;prison locale oukacha;condamné"
        for i in range(10_000)
    ]
    path = write_csv(tmp_path / "big.csv", *lines)

    assert import_beneficiaries(ctx, path).created == 10_000
    assert import_beneficiaries(ctx, path).updated == 10_000
    with ctx.reading() as session:
        assert session.scalar(select(func.count()).select_from(Beneficiary)) == 10_000


# --- Whatever the file holds -----------------------------------------------------------

_PLAUSIBLE_HEADER = "last_name,first_name,cin,birth_date,sex,legal_status,facility\n"


def _csv_text(rows: list[list[str]]) -> bytes:
    """Well-formed CSV around arbitrary cells, so that odd values reach the database."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return (_PLAUSIBLE_HEADER + buffer.getvalue()).encode()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    content=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.text(max_size=400).map(lambda text: (_PLAUSIBLE_HEADER + text).encode()),
        st.lists(
            st.lists(st.sampled_from(["", "x", "AB1", "1990-01-01", "F", "é", '"', ";"])),
            max_size=6,
        ).map(lambda rows: (_PLAUSIBLE_HEADER + "\n".join(map(",".join, rows))).encode()),
        st.lists(st.lists(st.text(max_size=12), min_size=2, max_size=8), max_size=5).map(_csv_text),
    ),
    dry_run=st.booleans(),
    skip_invalid=st.booleans(),
)
def test_any_csv_content_gives_a_report_or_a_file_error(
    ctx: ServiceContext, tmp_path: Path, content: bytes, dry_run: bool, skip_invalid: bool
) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes(content)
    try:
        report = import_beneficiaries(ctx, path, dry_run=dry_run, skip_invalid=skip_invalid)
    except ImportFileError as error:
        event("refused")
        assert str(error)
    else:
        event("imported" if report.applied else "reported")
        assert report.rejected == len({error.line for error in report.errors})
        assert report.applied == (not dry_run and (skip_invalid or not report.errors))
