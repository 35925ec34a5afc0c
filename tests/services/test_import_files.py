"""The spreadsheets teams really keep: French, Arabic and English headers, title rows,
dates as typed in Morocco, Arabic-Indic digits, Windows code pages; each file is made
here, imported into a real encrypted profile, and checked value by value."""

from __future__ import annotations

import codecs
import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models import Beneficiary
from app.services import beneficiaries, import_mapping
from app.services.context import ServiceContext
from app.services.import_fields import ALIASES, FIELDS, label_key
from app.services.import_report import save_rejected, summary_lines
from app.services.import_rows import read_table
from app.services.importer import ImportFileError, import_beneficiaries
from passerelle_core.enums import LegalStatus, Sex

ROOT = Path(__file__).resolve().parents[2]


def people(ctx: ServiceContext) -> dict[str, Beneficiary]:
    with ctx.reading() as session:
        query = select(Beneficiary).options(selectinload(Beneficiary.facility))
        return {b.last_name: b for b in session.scalars(query)}


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], merge: Sequence[str] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def write_text(path: Path, lines: Sequence[str], encoding: str, bom: bytes = b"") -> Path:
    path.write_bytes(bom + "\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def test_french_xlsx_with_a_merged_title_row_dates_as_typed_and_detenu(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "liste.xlsx",
        [
            ["Liste des bénéficiaires – 2026", None, None, None, None, None, None, None],
            [],
            ["Nom", "Prénom", "N° CIN", "Date de naissance", "Sexe", "Établissement",
             "Situation pénale", "Téléphone", "Observations"],
            ["Alaoui", "Karim", "ab 123-456", "14/05/1990", "H", "Prison locale Oukacha",
             "Détenu", "٠٦٦١٢٣٤٥٦٧", "suivi"],
            ["Bennani", "Salma", None, datetime(1995, 7, 30), "Femme", "prison locale oukacha",
             "prévenue", "06 61 00 00 00", None],
            ["Chraibi", "Omar", "CD7", 32977, "M", None, "Libéré", None, None],
        ],
        merge=["A1:H1"],
    )  # fmt: skip

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.rejected, report.errors) == (3, 0, [])
    assert report.header_line == 3 and report.encoding is None
    assert report.warnings == ["Column “Observations” is not imported."]
    found = people(ctx)
    karim, salma, omar = found["Alaoui"], found["Bennani"], found["Chraibi"]
    assert karim.cin == "AB123456" and karim.phone == "0661234567"
    assert karim.birth_date == date(1990, 5, 14) and karim.sex is Sex.MALE
    assert karim.legal_status is LegalStatus.SENTENCED  # détenu: custody, sentenced by default
    assert karim.facility is not None and karim.facility.name == "Prison locale Oukacha"
    assert salma.birth_date == date(1995, 7, 30) and salma.sex is Sex.FEMALE
    assert salma.legal_status is LegalStatus.PRE_TRIAL and salma.phone == "06 61 00 00 00"
    assert omar.birth_date == date(1990, 4, 14)  # Excel serial 32977
    assert omar.legal_status is LegalStatus.RELEASED


def test_arabic_headers_semicolons_arabic_indic_digits_utf8_bom(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path / "المستفيدون.csv",
        [
            "الاسم العائلي;الاسم الشخصي;النسب بالعربية;الاسم بالعربية;رقم البطاقة الوطنية;"
            "رقم الاعتقال;تاريخ الازدياد;الجنس;الوضعية الجنائية;تاريخ الإفراج المتوقع;الهاتف",
            "Alaoui;Karim;العلوي;كريم;ب ١٢٣٤٥;١٢٣٤/٢٠٢٤;١٤/٠٥/١٩٩٠;ذكر;محكوم;٣١/١٢/٢٠٢٧;٠٦٦١٢٣٤٥٦٧",
            "Bennani;Salma;بناني;سلمى;;٩٨٧;٠٣/٠٤/١٩٩٢;أنثى;معتقل احتياطي;;",
            "Chraibi;Omar;الشرايبي;عمر;;;;ذكر;مفرج عنه;;",
        ],
        "utf-8",
        codecs.BOM_UTF8,
    )

    report = import_beneficiaries(ctx, path)

    assert report.encoding == "UTF-8 (BOM)"
    # "ب ١٢٣٤٥": an Arabic letter is no CIN; every other cell reads.
    assert [(e.line, e.column) for e in report.errors] == [(2, "رقم البطاقة الوطنية")]
    assert (report.created, report.rejected, report.applied) == (2, 1, False)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("ب ١٢٣٤٥", "BE ١٢٣٤٥"))

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.errors, report.encoding) == (3, [], "UTF-8")
    found = people(ctx)
    karim, salma, omar = found["Alaoui"], found["Bennani"], found["Chraibi"]
    assert (karim.last_name_ar, karim.first_name_ar) == ("العلوي", "كريم")
    assert karim.cin == "BE12345" and karim.registration_number == "1234/2024"
    assert karim.birth_date == date(1990, 5, 14)  # which proves the file writes day first
    assert karim.expected_release_date == date(2027, 12, 31)
    assert karim.phone == "0661234567" and karim.legal_status is LegalStatus.SENTENCED
    assert salma.birth_date == date(1992, 4, 3) and salma.sex is Sex.FEMALE
    assert salma.legal_status is LegalStatus.PRE_TRIAL and salma.registration_number == "987"
    assert omar.legal_status is LegalStatus.RELEASED


def test_windows_1256_csv_from_arabic_windows(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "arabic-windows.csv",
        [
            "النسب,الاسم,النسب بالعربية,الاسم بالعربية,تاريخ الميلاد,الجنس,المؤسسة",
            "Idrissi,Hassan,الإدريسي,حسن,1988-03-21,ذكر,السجن المحلي بسلا",
            "Tazi,Amina,التازي,أمينة,21/03/1991,أنثى,السجن المحلي بسلا",
        ],
        "cp1256",
    )

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.errors, report.encoding) == (2, [], "Windows-1256")
    assert report.new_facilities == ["السجن المحلي بسلا"]
    found = people(ctx)
    assert found["Idrissi"].last_name_ar == "الإدريسي"
    assert found["Idrissi"].birth_date == date(1988, 3, 21)
    assert found["Tazi"].first_name_ar == "أمينة" and found["Tazi"].birth_date == date(1991, 3, 21)


def test_windows_1252_english_headers_two_digit_years_and_detenue(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path / "old-excel.csv",
        [
            "Last name,First name,National ID,Date of birth,Gender,Legal status,Release date",
            "Ziani,Hélène,ef 654321,25/12/85,female,Détenue,1/3/27",
            "Zouiten,Rachid,,4/5/07,male,convicted,",
        ],
        "cp1252",
    )

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.errors, report.encoding) == (2, [], "Windows-1252")
    found = people(ctx)
    helene, rachid = found["Ziani"], found["Zouiten"]
    assert helene.first_name == "Hélène" and helene.cin == "EF654321"
    assert helene.birth_date == date(1985, 12, 25)  # 85 is in the past: 1985
    assert helene.expected_release_date == date(2027, 3, 1)  # release years are 20YY
    assert rachid.birth_date == date(2007, 5, 4)  # day first, as 25/12/85 shows


def test_utf16_tab_separated_with_eastern_arabic_indic_digits(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "unicode.csv"
    text = "Nom\tPrénom\tDate de naissance\tGSM\r\nAmrani\tYoussef\t۱۹۹۳-۱۱-۰۲\t۰۶۶۱۲۳۴۵۶۷\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    report = import_beneficiaries(ctx, path)

    assert (report.created, report.encoding) == (1, "UTF-16")
    assert people(ctx)["Amrani"].birth_date == date(1993, 11, 2)
    assert people(ctx)["Amrani"].phone == "0661234567"


def test_an_ambiguous_date_is_an_error_on_its_cell_never_a_guess(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path / "ambiguous.csv",
        ["Nom;Prénom;Date de naissance", "Alaoui;Karim;03/04/1990", "Bennani;Salma;05/05/1991"],
        "utf-8",
    )

    report = import_beneficiaries(ctx, path, dry_run=True)

    assert [(e.line, e.column) for e in report.errors] == [(2, "Date de naissance")]
    assert report.errors[0].message.startswith("Ambiguous date")
    assert (report.created, report.rejected) == (1, 1)  # 05/05 reads the same either way


def test_possible_duplicates_are_flagged_not_merged(ctx: ServiceContext, tmp_path: Path) -> None:
    beneficiaries.register(
        ctx,
        {"last_name": "Alaoui", "first_name": "Karim", "registration_number": "E-77",
         "birth_date": date(1990, 5, 14)},
    )  # fmt: skip
    path = write_text(
        tmp_path / "dups.csv",
        [
            "Nom;Prénom;N° d'écrou;Date de naissance",
            "ALAOUI;karim;;14/05/1990",
            "Berrada;Nadia;E-77;01/02/1985",
            "Tahiri;Omar;;20/01/1980",
            "Tâhiri;Omar;;20/01/1980",
        ],
        "utf-8",
    )

    report = import_beneficiaries(ctx, path, dry_run=True)

    in_profile = "likely the same person as a beneficiary already in the profile"
    assert [(d.line, d.reason) for d in report.duplicates] == [
        (2, f"{in_profile} (score 99/100: same birth date, similar names (100%))"),
        (3, f"{in_profile} (score 100/100: same registration number)"),
        (5, "likely the same person as line 4 (score 99/100: same birth date, "
            "similar names (100%))"),
    ]  # fmt: skip
    assert report.created == 4 and "3 possible duplicates to check." in summary_lines(report)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_rejected_rows_are_saved_with_a_reason_then_corrected_and_imported(
    ctx: ServiceContext, tmp_path: Path, suffix: str
) -> None:
    path = write_text(
        tmp_path / "team.csv",
        [
            "Nom;Prénom;CIN;Date de naissance;Téléphone",
            "Alaoui;Karim;AB1;14/05/1990;+212661000000",
            "Bennani;Salma;12;31/02/1990;",
            "Chraibi;Omar;;;",
        ],
        "utf-8",
    )
    report = import_beneficiaries(ctx, path, skip_invalid=True)
    assert (report.created, report.rejected) == (2, 1)
    rejected = tmp_path / f"rejected{suffix}"

    save_rejected(report, rejected)

    table = read_table(rejected)
    assert table.labels == ["Nom", "Prénom", "CIN", "Date de naissance", "Téléphone",
                            "Rejection reason"]  # fmt: skip
    assert [row.line for row in table.rows] == [2]
    reason = str(table.rows[0].cells[5])
    assert "CIN:" in reason and "Date de naissance: This date does not exist." in reason
    if suffix == ".xlsx":
        workbook = load_workbook(rejected)
        sheet = workbook.active
        assert sheet is not None
        sheet["C2"], sheet["D2"] = "CD12", "28/02/1990"
        workbook.save(rejected)
    else:
        text = rejected.read_text(encoding="utf-8-sig").replace(
            ";12;31/02/1990;", ";CD12;28/02/1990;"
        )
        rejected.write_text(text, encoding="utf-8-sig")

    again = import_beneficiaries(ctx, rejected)

    assert (again.created, again.errors, again.warnings) == (1, [], [])
    assert people(ctx)["Bennani"].birth_date == date(1990, 2, 28)


def test_formula_like_cells_are_written_inert_and_read_back_as_typed(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path / "team.csv",
        ["Nom;Prénom;Téléphone;Sexe", "=HYPERLINK(1);Karim;+212661000000;X"],
        "utf-8",
    )
    report = import_beneficiaries(ctx, path, dry_run=True)
    rejected = tmp_path / "rejected.xlsx"
    save_rejected(report, rejected)
    sheet = load_workbook(rejected).active
    assert sheet is not None
    assert sheet["A2"].value == "'=HYPERLINK(1)" and sheet["A2"].data_type == "s"
    table = read_table(rejected)
    parsed = import_beneficiaries(ctx, rejected, dry_run=True)
    assert table.rows[0].cells[2] == "'+212661000000"
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "Sexe")]


def test_mapping_proposed_from_content_written_and_read_back(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_text(
        tmp_path / "team.csv",
        [
            "Nom;Prénom;Pièce;Col4;Col5;Divers",
            "Alaoui;Karim;AB123456;العلوي;12/05/1990;x",
            "Bennani;Salma;cd 654321;بناني;30/07/1995;y",
        ],
        "utf-8",
    )
    table = read_table(path)

    proposed = import_mapping.propose(table)

    assert proposed == {
        "Nom": "last_name", "Prénom": "first_name", "Pièce": "cin",
        "Col4": "last_name_ar", "Col5": "birth_date", "Divers": None,
    }  # fmt: skip
    changed = {**proposed, "Col4": "first_name_ar", "Divers": "address"}
    mapping_file = tmp_path / "mapping.json"
    import_mapping.write_file(mapping_file, changed)
    assert json.loads(mapping_file.read_text(encoding="utf-8"))["columns"]["Col4"] == (
        "first_name_ar"
    )
    report = import_beneficiaries(ctx, path, mapping=import_mapping.read_file(mapping_file))
    assert (report.created, report.warnings) == (2, [])
    karim = people(ctx)["Alaoui"]
    assert (karim.first_name_ar, karim.last_name_ar, karim.address) == ("العلوي", None, "x")


def test_a_mapping_that_uses_a_field_twice_or_lacks_a_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="Two columns"):
        import_mapping.check({"A": "last_name", "B": "last_name", "C": "first_name"})
    with pytest.raises(ImportFileError, match="first_name"):
        import_mapping.check({"A": "last_name"})
    with pytest.raises(ImportFileError, match="Unknown field"):
        import_mapping.check({"A": "last_name", "B": "first_name", "C": "religion"})
    with pytest.raises(ImportFileError):
        import_mapping.from_json('{"columns": ["Nom"]}')


def test_the_mapping_is_saved_per_profile_by_header(ctx: ServiceContext) -> None:
    labels = ["Nom", "Prénom", "Col3"]
    assert import_mapping.saved(ctx, labels) is None
    import_mapping.save(ctx, labels, {"Nom": "last_name", "Prénom": "first_name", "Col3": "cin"})

    assert import_mapping.saved(ctx, ["NOM ", "prenom", "col3"]) == {
        "Nom": "last_name", "Prénom": "first_name", "Col3": "cin",
    }  # fmt: skip
    assert import_mapping.saved(ctx, ["Nom", "Prénom"]) is None


def test_every_alias_means_one_field_and_the_docs_print_the_table() -> None:
    owners: dict[str, set[str]] = {}
    for spec in FIELDS:
        for alias in spec.aliases:
            owners.setdefault(label_key(alias), set()).add(spec.name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}
    assert set(owners) == set(ALIASES)
    from app.services.import_doc import render

    document = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    assert render() in document, "run: .venv/bin/python -m app.services.import_doc"


@pytest.mark.parametrize(
    ("dry_run", "skip_invalid", "expected"),
    [
        (True, False, ["1 row would be written (1 to create, 0 to update).",
                       "1 row rejected (2 errors).", "1 facility would be created: Centre A.",
                       "Dry run: nothing was written."]),
        (False, False, ["0 rows written.", "1 row would be written (1 to create, 0 to update).",
                        "1 row rejected (2 errors).", "1 facility would be created: Centre A.",
                        "Nothing was written: every row must be valid, or the invalid ones "
                        "skipped."]),
        (False, True, ["1 row written (1 created, 0 updated).", "1 row rejected (2 errors).",
                       "1 facility created: Centre A."]),
    ],
)  # fmt: skip
def test_the_summary_never_contradicts_itself(
    ctx: ServiceContext, tmp_path: Path, dry_run: bool, skip_invalid: bool, expected: list[str]
) -> None:
    path = write_text(
        tmp_path / "team.csv",
        ["Nom;Prénom;Établissement;Sexe;CIN", "Alaoui;Karim;Centre A;M;", "B;S;Centre B;X;9"],
        "utf-8",
    )

    report = import_beneficiaries(ctx, path, dry_run=dry_run, skip_invalid=skip_invalid)

    assert summary_lines(report)[1:] == expected


def test_two_level_header_and_cells_merged_down_the_rows(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    """A group title merged above two columns, a header merged down, a facility merged
    over a block of rows: each cell of a merged range holds its top-left value."""
    path = write_xlsx(
        tmp_path / "blocs.xlsx",
        [
            ["Identité", None, "CIN", "Établissement"],
            ["Nom", "Prénom", None, None],
            ["Alaoui", "Karim", "AB1", "Prison locale Oukacha"],
            ["Bennani", "Salma", "AB2", None],
            ["Chraibi", "Omar", "AB3", "Centre Atlas"],
        ],
        merge=["A1:B1", "C1:C2", "D1:D2", "D3:D4"],
    )

    report = import_beneficiaries(ctx, path)

    assert (report.header_line, report.created, report.errors) == (2, 3, [])
    assert report.mapping == {"Nom": "last_name", "Prénom": "first_name", "CIN": "cin",
                              "Établissement": "facility"}  # fmt: skip
    found = people(ctx)
    assert found["Bennani"].cin == "AB2"
    assert found["Bennani"].facility is not None
    assert found["Bennani"].facility.name == "Prison locale Oukacha"
    assert report.new_facilities == ["Centre Atlas"]


def test_arabic_names_under_latin_name_headers_go_to_the_arabic_fields(tmp_path: Path) -> None:
    both = write_text(
        tmp_path / "both.csv",
        ["Nom;النسب;الاسم;Prénom", "Alaoui;العلوي;كريم;Karim", "Bennani;بناني;سلمى;Salma"],
        "utf-8",
    )
    arabic_only = write_text(
        tmp_path / "arabic.csv", ["النسب;الاسم", "العلوي;كريم", "بناني;سلمى"], "utf-8"
    )

    assert import_mapping.propose(read_table(both)) == {
        "Nom": "last_name", "النسب": "last_name_ar", "الاسم": "first_name_ar",
        "Prénom": "first_name",
    }  # fmt: skip
    proposed = import_mapping.propose(read_table(arabic_only))
    assert proposed == {"النسب": "last_name_ar", "الاسم": "first_name_ar"}
    with pytest.raises(ImportFileError, match="last_name, first_name"):
        import_mapping.check(proposed)  # Latin names are required: said, not guessed
