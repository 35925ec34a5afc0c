"""No label of the main screens is clipped, at 100 % and 150 % zoom, in French and Arabic:
each visible label has at least the room its size hint asks for (or, wrapped, the
height its width needs). Also: the zoom and high-contrast settings apply and are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.demo import fill_profile
from app.services import owner
from app.settings import Settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.appearance import apply_appearance, point_size
from app.views.language import apply_language
from app.views.main_window import MainWindow
from passerelle_core.enums import StaffRole

SCREENS = ("worklist", "caseload", "dashboard", "settings")
SECTIONS = ("identity", "assessment", "plan", "sessions", "referrals", "timeline")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layout")
    profile = Profile.create(root / "amina", "correct horse battery", KdfParams.fast_for_tests())
    owner.setup_owner(profile.sessions, "Amina Tazi", StaffRole.SUPERVISOR, "Prison locale Oukacha")
    fill_profile(profile, beneficiaries=40, seed=3)
    profile.close()
    return root


@pytest.fixture
def restore(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    QThreadPool.globalInstance().waitForDone()
    apply_appearance(qapp, 100, False)
    apply_language(qapp, "en")


CHECKED: list[int] = []


def clipped(root: QWidget) -> list[str]:
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text() or label.width() <= 1:
            continue
        CHECKED.append(1)
        if label.pixmap() is not None and not label.pixmap().isNull():
            continue
        hint = label.sizeHint()
        if label.wordWrap():
            needed_height = label.heightForWidth(label.width())
            short = needed_height > label.height() + 1
        else:
            short = hint.width() > label.width() + 1 or hint.height() > label.height() + 1
        if short:
            name = label.objectName() or label.text()[:40]
            found.append(
                f"{name!r} {label.width()}x{label.height()} < {hint.width()}x{hint.height()}"
            )
    return found


@pytest.mark.slow
@pytest.mark.parametrize("zoom", [100, 150])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_label_is_clipped(
    qtbot: QtBot, demo_root: Path, restore: QApplication, language: str, zoom: int, tmp_path: Path
) -> None:
    apply_language(restore, language)
    apply_appearance(restore, zoom, False)
    assert restore.font().pointSize() == point_size(restore) == round(10 * zoom / 100)
    window = MainWindow(Settings(language=language), demo_root, tmp_path / "settings.json")
    qtbot.addWidget(window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone())
    window.resize(1280 * zoom // 100, 800 * zoom // 100)
    window.show()
    window.open_profile(Profile.open(demo_root / "amina", "correct horse battery"))
    workspace = window.workspace
    assert workspace is not None
    problems: dict[str, list[str]] = {}
    CHECKED.clear()
    for key in SCREENS:
        page = workspace.show_page(key)
        model = getattr(page, "model", None)
        qtbot.waitUntil(lambda model=model: not getattr(model, "busy", False))
        qtbot.wait(20)
        problems[key] = clipped(page)
    caseload = workspace.page("caseload")
    first = caseload.model.beneficiary_id(0)  # type: ignore[attr-defined]
    view = workspace.open_case(first, "identity")
    for section in SECTIONS:
        view.show_section(section)
        qtbot.wait(20)
        problems[f"case/{section}"] = clipped(view)
    assessment = view.section("assessment")
    form = assessment.new_assessment()  # type: ignore[attr-defined]
    if form is not None:  # the form with its priority-domain summary (consent given)
        qtbot.wait(20)
        problems["case/assessment form"] = clipped(view)
    assert len(CHECKED) > 40  # the screens were really looked at
    assert {key: found for key, found in problems.items() if found} == {}
    window.close()
