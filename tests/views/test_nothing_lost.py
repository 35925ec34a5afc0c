"""Nothing typed is lost: switching the interface language keeps the open case files,
the tab each was on, and a half-filled assessment's input, unsaved as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import i18n
from app.services import assessments, beneficiaries, consent, owner
from app.settings import Settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.casefile import CaseFileView
from app.views.casefile.assessment import AssessmentSection
from app.views.language import apply_language
from app.views.main_window import MainWindow
from app.views.settings_view import SettingsPage
from passerelle_core.enums import ConsentPurpose, StaffRole


@pytest.fixture
def restore_english(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    QThreadPool.globalInstance().waitForDone()
    apply_language(qapp, "en")


@pytest.mark.parametrize(("start", "switch_to"), [("fr", "ar"), ("ar", "fr")])
def test_a_language_switch_keeps_an_open_assessments_input(
    qtbot: QtBot,
    tmp_path: Path,
    fast_kdf: KdfParams,
    restore_english: QApplication,
    start: str,
    switch_to: str,
) -> None:
    profile = Profile.create(tmp_path / "profiles" / "amina", "correct horse battery", fast_kdf)
    owner.setup_owner(profile.sessions, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Oukacha")
    apply_language(restore_english, start)
    window = MainWindow(Settings(language=start), tmp_path / "profiles", tmp_path / "s.json")  # type: ignore[arg-type]
    qtbot.addWidget(window, before_close_func=lambda _w: QThreadPool.globalInstance().waitForDone())
    window.open_profile(profile)
    workspace = window.workspace
    assert workspace is not None
    ctx = window.state.ctx  # type: ignore[union-attr]
    person = beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Karim"})
    other = beneficiaries.register(ctx, {"last_name": "Alami", "first_name": "Sara"})
    consent.record(ctx, person.id, ConsentPurpose.ASSESSMENT)

    workspace.open_case(other.id, "sessions")
    view = workspace.open_case(person.id, "assessment")
    section = view.section("assessment")
    assert isinstance(section, AssessmentSection)
    form = section.new_assessment()
    assert form is not None
    page = next(iter(form.domain_pages.values()))
    editor = next(iter(page.items.values()))
    first_value = next(iter(editor._values.values()))
    editor.set_value(first_value)
    editor.note.setText("Sans logement a la sortie")
    form.notes.setPlainText("Entretien interrompu")
    assert form.dirty
    typed = form.answers()

    settings = workspace.show_page("settings")
    assert isinstance(settings, SettingsPage)
    settings.ui_language.setCurrentIndex(settings.ui_language.findData(switch_to))
    with qtbot.waitSignal(window.unlocked):
        qtbot.mouseClick(settings.save_button, Qt.MouseButton.LeftButton)

    assert i18n.current_language() == switch_to
    again = window.workspace
    assert again is not None and again is not workspace
    tabs = again.case_tabs
    assert tabs.count() == 2  # both case files are open again
    views = [tabs.widget(i) for i in range(tabs.count())]
    assert all(isinstance(v, CaseFileView) for v in views)
    kept = next(v for v in views if isinstance(v, CaseFileView) and v.beneficiary_id == person.id)
    restored = kept.section("assessment")
    assert isinstance(restored, AssessmentSection) and restored.form is not None
    assert restored.form.answers() == typed
    assert restored.form.notes.toPlainText() == "Entretien interrompu"
    assert restored.form.item_notes() == {editor.item.id: "Sans logement a la sortie"}
    assert restored.form.dirty  # still unsaved: nothing was written behind her back
    assert assessments.list_for(ctx, person.id) == []
    window.close()
