"""Under the high-contrast theme no screen keeps a colour of its own: style sheets are
rewritten black on white, cell colours give way to the theme, charts draw in black
with a pattern per series; leaving the theme puts every screen's colours back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLabel, QStyleOptionViewItem, QTableView, QWidget
from pytestqt.qtbot import QtBot

from app.demo import fill_profile
from app.services import owner
from app.settings import Settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.appearance import ORIGINAL_STYLE, apply_appearance, contrasted, fill, ink
from app.views.bidi import NumberRunDelegate
from app.views.language import apply_language
from app.views.main_window import MainWindow
from passerelle_core.enums import StaffRole

SECTIONS = ("identity", "assessment", "plan", "sessions", "referrals", "timeline")
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|palette\(")
THEME = {"#000000", "#ffffff"}


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contrast")
    profile = Profile.create(root / "amina", "correct horse battery", KdfParams.fast_for_tests())
    owner.setup_owner(profile.sessions, "Amina Tazi", StaffRole.SUPERVISOR, "Prison locale Oukacha")
    fill_profile(profile, beneficiaries=20, seed=3)
    profile.close()
    return root


@pytest.fixture
def contrast(qapp: QApplication) -> Iterator[QApplication]:
    apply_appearance(qapp, 100, True)
    yield qapp
    QThreadPool.globalInstance().waitForDone()
    apply_appearance(qapp, 100, False)


def own_colours(root: QWidget) -> list[str]:
    """Widgets whose style sheet still names a colour other than the theme's."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        colours = {match.group(0) for match in COLOUR.finditer(widget.styleSheet())}
        if colours - THEME:
            found.append(f"{type(widget).__name__} {widget.objectName()}: {sorted(colours)}")
    return found


def test_style_sheets_are_rewritten_and_put_back(qtbot: QtBot, qapp: QApplication) -> None:
    hint = QLabel("Aucun consentement")
    qtbot.addWidget(hint)
    hint.setStyleSheet("color: #55606a;")
    hint.show()
    apply_appearance(qapp, 100, True)
    try:
        assert hint.styleSheet() == "color: #000000;"
        hint.setStyleSheet("color: #7a4f00; font-weight: 600;")  # a hint turning to a warning
        assert hint.styleSheet() == "color: #000000; font-weight: 600;"
        assert ink("#55606a").name() == "#000000"
        assert fill("#1d5c8c", 1).color().name() == "#000000"
    finally:
        apply_appearance(qapp, 100, False)
    assert hint.styleSheet() == "color: #7a4f00; font-weight: 600;"
    assert hint.property(ORIGINAL_STYLE) is None
    assert ink("#55606a").name() == "#55606a"


def test_rules_keep_their_shape() -> None:
    sheet = (
        "QProgressBar { border: none; background: #e8edf1; }\n"
        "QProgressBar::chunk { background: #1d5c8c; }"
    )
    assert contrasted(sheet) == (
        "QProgressBar { border: none; background: #ffffff; }\n"
        "QProgressBar::chunk { background: #000000; }"  # the filled part stays visible
    )
    assert contrasted("font-size: 15px; font-weight: 600;") == "font-size: 15px; font-weight: 600;"


def test_a_selected_item_stays_readable() -> None:
    """The navigation's current page was white on white under high contrast (its sheet
    said ``color: white``, a colour by name): a selected item reads inverted."""
    sheet = (
        "QListWidget::item:selected { background: #1d5c8c; color: white; }\n"
        "QListWidget::item:hover:!selected { background: #e3ecf4; color: darkred; }"
    )
    assert contrasted(sheet) == (
        "QListWidget::item:selected { background: #000000; color: #ffffff; }\n"
        "QListWidget::item:hover:!selected { background: #ffffff; color: #000000; }"
    )
    assert contrasted("color: white; border: 1px solid red;") == (
        "color: #000000; border: 1px solid #000000;"
    )


def test_cell_colours_give_way(qtbot: QtBot, qapp: QApplication) -> None:
    model = QStandardItemModel(1, 1)
    item = QStandardItem("2026-01-05")
    item.setForeground(QBrush(QColor("#b3261e")))  # an overdue date's red
    item.setBackground(QBrush(QColor("#fbf0d9")))
    model.setItem(0, 0, item)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = NumberRunDelegate(view)

    def cell() -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, model.index(0, 0))
        return option

    assert cell().palette.text().color().name() == "#b3261e"
    apply_appearance(qapp, 100, True)
    try:
        option = cell()
        assert option.palette.text().color().name() == "#000000"
        assert option.backgroundBrush.style() == Qt.BrushStyle.NoBrush
    finally:
        apply_appearance(qapp, 100, False)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_screen_keeps_its_own_colours(
    qtbot: QtBot, demo_root: Path, contrast: QApplication, language: str, tmp_path: Path
) -> None:
    apply_language(contrast, language)
    try:
        window = MainWindow(Settings(language=language), demo_root, tmp_path / "settings.json")
        qtbot.addWidget(
            window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone()
        )
        window.resize(1280, 800)
        window.show()
        window.open_profile(Profile.open(demo_root / "amina", "correct horse battery"))
        workspace = window.workspace
        assert workspace is not None
        problems: dict[str, list[str]] = {}
        for key in ("worklist", "caseload", "dashboard", "partners", "meetings", "settings"):
            page = workspace.show_page(key)
            qtbot.waitUntil(lambda page=page: not getattr(getattr(page, "model", None), "busy", 0))
            problems[key] = own_colours(page)
        caseload = workspace.page("caseload")
        view = workspace.open_case(caseload.model.beneficiary_id(0), "identity")  # type: ignore[attr-defined]
        for section in SECTIONS:
            view.show_section(section)
            qtbot.wait(10)
            problems[f"case/{section}"] = own_colours(view)
        assert {key: found for key, found in problems.items() if found} == {}
    finally:
        apply_language(contrast, "en")
