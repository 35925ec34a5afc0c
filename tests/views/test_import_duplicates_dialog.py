"""The import dialog's likely duplicates: listed per line in the dry run; skipping them
checks the file again and imports the others only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Beneficiary
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.services.import_duplicates import DuplicateAction
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.import_dialog import ImportDialog

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def _no_work_outlives_the_profile(profile: Profile) -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()


def test_duplicates_listed_then_skipped(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, tmp_path: Path
) -> None:
    beneficiaries.register(
        ctx, {"last_name": "El Idrissi", "first_name": "Mohamed", "birth_date": date(1990, 5, 14)}
    )
    path = tmp_path / "liste.csv"
    path.write_text(
        "\n".join(
            [
                "Nom;Prénom;Date de naissance",
                "Drissi;Mhamed;14/05/1990",  # the file already in the profile
                "Bennani;Youssef;02/03/1985",
                "Benani;Yousef;02/03/1985",  # line 3 again
                "Tazi;Omar;20/01/1980",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    dialog = ImportDialog(AppState(profile, ctx, Settings()))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load_file(path)
    qtbot.mouseClick(dialog.check_button, LEFT)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == 1 and dialog.report is not None)

    table = dialog.problems_table
    listed = [(table.item(r, 0).text(), table.item(r, 2).text()) for r in range(table.rowCount())]
    assert [line for line, _ in listed] == ["2", "4"]
    assert "already in the profile" in listed[0][1] and "as line 3" in listed[1][1]
    assert dialog.import_button.text() == "Import the 4 valid rows"

    # Skip them: the file is checked again with that choice.
    first = dialog.report
    dialog.duplicate_action.setCurrentIndex(dialog.duplicate_action.findData(DuplicateAction.SKIP))
    qtbot.waitUntil(lambda: dialog.report is not first and dialog.report is not None)
    assert "2 likely duplicate rows skipped." in dialog.summary_label.text()
    assert dialog.import_button.text() == "Import the 2 valid rows"

    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.import_button, LEFT)
    with ctx.reading() as session:
        stored = session.scalars(select(Beneficiary.last_name).order_by(Beneficiary.last_name))
        assert list(stored) == ["Bennani", "El Idrissi", "Tazi"]
