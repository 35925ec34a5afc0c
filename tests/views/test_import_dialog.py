"""The import dialog on real widgets and a real profile: the proposed mapping, a changed
mapping, the preview with its marked cells, the dry-run report, the import, and the
mapping saved and proposed again for the next file with the same header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Beneficiary
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.import_dialog import ERROR_BACKGROUND, ImportDialog

HEADER = "Nom;Prénom;Pièce;Divers;Date de naissance;Établissement"


@pytest.fixture(autouse=True)
def _no_work_outlives_the_profile(profile: Profile) -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()


def write(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def dialog_for(qtbot: QtBot, profile: Profile, ctx: ServiceContext) -> ImportDialog:
    dialog = ImportDialog(AppState(profile, ctx, Settings()))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def preview(dialog: ImportDialog) -> list[dict[str, str]]:
    table = dialog.preview_table
    titles = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    return [
        {titles[c]: table.item(r, c).text() for c in range(table.columnCount())}
        for r in range(table.rowCount())
    ]


def names(ctx: ServiceContext) -> list[tuple[str, str | None]]:
    with ctx.reading() as session:
        query = select(Beneficiary.last_name, Beneficiary.address).order_by(Beneficiary.last_name)
        return [(row.last_name, row.address) for row in session.execute(query)]


def test_map_preview_check_save_rejected_import_and_reuse(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "liste.csv",
        "Alaoui;Karim;ab 123456;Derb Sultan;14/05/1990;prison locale OUKACHA",
        "Bennani;Salma;CD654321;Hay Riad;31/02/1990;",
        "Chraibi;Omar;EF112233;;٠١/٠٢/١٩٨٥;Centre Atlas",
    )
    dialog = dialog_for(qtbot, profile, ctx)

    dialog.load_file(path)

    assert dialog.mapping() == {
        "Nom": "last_name", "Prénom": "first_name", "Pièce": "cin", "Divers": None,
        "Date de naissance": "birth_date", "Établissement": "facility",
    }  # fmt: skip
    assert "proposed" in dialog.info_label.text() and "3 rows" in dialog.info_label.text()
    assert dialog.problem_label.text() == "Not imported: Divers."
    rows = preview(dialog)
    assert rows[0] == {"Last name": "Alaoui", "First name": "Karim", "CIN": "AB123456",
                       "Birth date": "1990-05-14", "Facility": "Prison locale Oukacha"}  # fmt: skip
    assert rows[2]["Birth date"] == "1985-02-01"
    assert rows[2]["Facility"] == "Centre Atlas (new)"
    bad = dialog.preview_table.item(1, 3)
    assert bad.text() == "⚠ 31/02/1990" and bad.toolTip() == "This date does not exist."
    assert bad.background().color() == ERROR_BACKGROUND

    dialog.set_field("Divers", "address")

    assert "Address" in preview(dialog)[0] and dialog.problem_label.text() == ""
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1 and dialog.report is not None)
    summary = dialog.summary_label.text()
    assert "2 rows would be written (2 to create, 0 to update)." in summary
    assert "1 row rejected (1 error)." in summary and "Dry run" in summary
    assert dialog.problems_table.rowCount() == 1
    assert dialog.problems_table.item(0, 1).text() == "Date de naissance"
    assert dialog.import_button.text() == "Import the 2 valid rows"
    assert names(ctx) == []
    rejected = tmp_path / "rejected.xlsx"
    dialog.save_rejected_to(rejected)
    sheet = load_workbook(rejected).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]][:2] == ["Bennani", "Salma"]

    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    assert "2 rows written (2 created, 0 updated)." in dialog.summary_label.text()
    assert not dialog.import_button.isVisible()
    assert names(ctx) == [("Alaoui", "Derb Sultan"), ("Chraibi", None)]

    second = dialog_for(qtbot, profile, ctx)
    other = tmp_path / "autre.csv"
    other.write_text(
        "NOM;prenom;PIÈCE;divers;date de naissance;établissement\n"
        "Daoudi;Nadia;GH445566;Anfa;01/01/1991;\n",
        encoding="utf-8",
    )
    second.load_file(other)

    assert second.mapping()["divers"] == "address"
    assert "last file with the same header" in second.info_label.text()


def test_an_unreadable_file_says_why_and_allows_no_check(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, profile, ctx)
    path = tmp_path / "old.xls"
    path.write_bytes(b"whatever")

    dialog.load_file(path)

    assert "Unsupported file type" in dialog.problem_label.text()
    assert not dialog.check_button.isEnabled()


def test_a_field_chosen_twice_blocks_the_check(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, profile, ctx)
    dialog.load_file(write(tmp_path / "liste.csv", "Alaoui;Karim;AB1;x;14/05/1990;"))

    dialog.set_field("Divers", "last_name")

    assert "Two columns are mapped" in dialog.problem_label.text()
    assert not dialog.check_button.isEnabled()


def test_the_caseload_page_opens_the_import_dialog(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext
) -> None:
    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.show()

    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)

    assert page.import_dialog is not None and page.import_dialog.isVisible()
    qtbot.waitUntil(lambda: not page.model.busy)
    page.import_dialog.close()
