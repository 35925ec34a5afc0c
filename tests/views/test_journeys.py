"""End-to-end journeys through the main window, on real encrypted profiles.

Each test drives the real widgets the way a counsellor would (first run, a case file from
registration to the first session, the lock, the Arabic interface) and checks both what
the screen shows and what the services then read from the profile.

Typed text is ASCII: QTest cannot type accented or Arabic letters (qasciikey asserts);
Arabic text is set on the fields directly, as an input method would.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app import i18n
from app.services import assessments, beneficiaries, consent, followup, owner, plans
from app.services.context import ServiceContext
from app.settings import Settings, load_settings
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.views.casefile import CaseFileView
from app.views.casefile.assessment import AssessmentSection
from app.views.casefile.assessment_form import AssessmentForm
from app.views.casefile.consent_panel import ConsentDialog
from app.views.casefile.identity import IdentitySection
from app.views.casefile.plan import PlanSection
from app.views.casefile.plan_dialogs import ActionDialog, DraftPlanDialog, GoalDialog
from app.views.casefile.sessions import RecordSessionDialog, SessionsSection
from app.views.caseload import CaseloadPage
from app.views.language import apply_language
from app.views.main_window import MainWindow
from app.views.register_dialog import RegisterDialog
from app.views.settings_view import SettingsPage
from app.views.workspace import Workspace
from passerelle_core.enums import (
    AssessmentStatus,
    ConsentPurpose,
    PlanStatus,
    ResponsibleKind,
    StaffRole,
)

PASSPHRASE = "ma soeur habite a fes"
LEFT = Qt.MouseButton.LeftButton
ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")
SLOW_MS = 10_000  # key derivation and profile creation run off the GUI thread

OpenWindow = Callable[..., MainWindow]
SectionT = TypeVar("SectionT", bound=QWidget)


# -- fixtures and helpers --------------------------------------------------------------


def _finish_background_work(_window: QWidget) -> None:
    """No query may outlive the profile the window closes."""
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


@pytest.fixture
def profiles_root(tmp_path: Path) -> Path:
    return tmp_path / "profiles"


@pytest.fixture
def open_window(
    qtbot: QtBot, profiles_root: Path, settings_file: Path, fast_kdf: KdfParams
) -> OpenWindow:
    """A shown main window writing its settings to a scratch file (closing it closes the
    profile it holds)."""

    def make(profile: Profile | None = None, settings: Settings | None = None) -> MainWindow:
        window = MainWindow(settings or Settings(language="en"), profiles_root, settings_file)
        qtbot.addWidget(window, before_close_func=_finish_background_work)
        # MainWindow builds its UnlockScreen without a ``kdf``: give the wizard a cheap one.
        window.unlock_screen.kdf = fast_kdf
        if profile is not None:
            window.open_profile(profile)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


@pytest.fixture
def owned_profile(profiles_root: Path, fast_kdf: KdfParams) -> Iterator[Profile]:
    """A social worker's profile (the window that opens it closes it too: closing twice
    is harmless)."""
    profile = Profile.create(profiles_root / "amina-tazi", PASSPHRASE, fast_kdf)
    owner.setup_owner(
        profile.sessions, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
    )
    yield profile
    profile.close()


def _workspace(window: MainWindow) -> Workspace:
    assert window.workspace is not None
    return window.workspace


def _ctx(window: MainWindow) -> ServiceContext:
    assert window.state is not None
    return window.state.ctx


def _caseload(window: MainWindow) -> CaseloadPage:
    page = _workspace(window).show_page("caseload")
    assert isinstance(page, CaseloadPage)
    return page


def _settle(qtbot: QtBot, page: CaseloadPage) -> None:
    """Wait for the caseload's last query (typing waits a moment before asking)."""
    qtbot.waitUntil(lambda: not page._debounce.isActive() and not page.model.busy)


def _section(view: CaseFileView, key: str, kind: type[SectionT]) -> SectionT:
    view.show_section(key)
    section = view.section(key)
    assert isinstance(section, kind)
    assert view.tabs.currentWidget() is section
    return section


def _rate(qtbot: QtBot, form: AssessmentForm, item_id: str, value: int) -> None:
    domain_id = item_id.split(".")[0]
    form.show_domain(domain_id)
    button: QRadioButton = form.domain_pages[domain_id].items[item_id].button_for(value)
    qtbot.mouseClick(button, LEFT, pos=button.rect().center())
    assert button.isChecked()


def _try_passphrase(qtbot: QtBot, window: MainWindow, text: str) -> None:
    prompt = window.lock_screen.prompt
    qtbot.keyClicks(prompt.field, text)
    qtbot.keyClick(prompt.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not prompt.busy, timeout=SLOW_MS)


def _visible_texts(window: MainWindow) -> list[str]:
    """Every text a person looking at the window could read."""
    texts = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QLineEdit) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QAbstractButton) if w.isVisible()]
    return texts


# -- 1. from the first run to the first session ----------------------------------------


def test_first_run_to_a_followed_case(
    qtbot: QtBot, open_window: OpenWindow, profiles_root: Path
) -> None:
    window = open_window()
    unlock = window.unlock_screen
    assert window.stack.currentWidget() is unlock and window.workspace is None
    assert unlock.stack.currentIndex() == 0  # no profile yet: creating one is offered

    # The wizard: who I am, my role, my passphrase.
    qtbot.mouseClick(unlock.welcome_button, LEFT)
    wizard = unlock.wizard
    assert wizard is not None and wizard.isVisible()
    qtbot.keyClicks(wizard.full_name, "Amina Tazi")
    wizard.role.setCurrentIndex(wizard.role.findData(StaffRole.SOCIAL_WORKER))
    qtbot.keyClicks(wizard.facility, "Prison locale Oukacha")
    qtbot.keyClicks(wizard.passphrase, PASSPHRASE)
    qtbot.keyClicks(wizard.confirmation, PASSPHRASE)
    with qtbot.waitSignal(window.unlocked, timeout=SLOW_MS):
        qtbot.mouseClick(wizard.create_button, LEFT)

    workspace = _workspace(window)
    assert not wizard.isVisible()
    assert window.stack.currentWidget() is workspace and workspace.isVisible()
    assert not window.is_locked
    assert window.status.profile_label.text() == "amina-tazi"
    ctx = _ctx(window)
    assert window.state is not None
    assert window.state.profile.folder == profiles_root / "amina-tazi"
    actor = owner.load_actor(window.state.profile.sessions)
    assert actor is not None and actor.role is StaffRole.SOCIAL_WORKER

    # Register a beneficiary from the caseload: the case file opens on its identity.
    caseload = _caseload(window)
    _settle(qtbot, caseload)
    assert caseload.stack.currentWidget() is caseload.no_cases
    qtbot.mouseClick(caseload.register_button, LEFT)
    register = caseload.dialog
    assert isinstance(register, RegisterDialog) and register.isVisible()
    qtbot.keyClicks(register.last_name, "Bennani")
    qtbot.keyClicks(register.first_name, "Youssef")
    register.last_name_ar.setText("بناني")
    register.first_name_ar.setText("يوسف")
    qtbot.keyClicks(register.cin, "BK123456")
    register.accept()

    view = workspace.case_tabs.currentWidget()
    assert isinstance(view, CaseFileView)
    assert workspace.pages.currentWidget() is workspace.case_tabs
    person_id: uuid.UUID = view.beneficiary_id
    stored = beneficiaries.get(ctx, person_id)
    assert (stored.last_name, stored.first_name, stored.cin) == ("Bennani", "Youssef", "BK123456")
    assert stored.last_name_ar == "بناني"
    assert workspace.case_tabs.tabText(workspace.case_tabs.currentIndex()) == "BENNANI Youssef"
    assert "BENNANI Youssef" in view.header.text() and "BK123456" in view.header.text()
    identity = view.section("identity")
    assert isinstance(identity, IdentitySection)
    assert view.tabs.currentWidget() is identity
    assert identity.fields["last_name"].display.text() == "Bennani"

    # Without consent, no assessment; record it in the identity section.
    assessment = view.section("assessment")
    assert isinstance(assessment, AssessmentSection)
    assert not assessment.new_button.isEnabled()
    qtbot.mouseClick(identity.consents.record_button, LEFT)
    consent_dialog = identity.consents.dialog
    assert isinstance(consent_dialog, ConsentDialog)
    consent_dialog.purpose.select(ConsentPurpose.ASSESSMENT)
    qtbot.keyClicks(consent_dialog.notes, "Explained in darija")
    with qtbot.waitSignal(identity.changed):
        consent_dialog.accept()
    assert identity.consents.tree.topLevelItemCount() == 1
    assert identity.consents.tree.topLevelItem(0).text(0) == "Needs assessment"
    [given] = consent.list_for(ctx, person_id)
    assert given.purpose is ConsentPurpose.ASSESSMENT and given.is_active
    assert given.notes == "Explained in darija"

    # The generated assessment form: housing answers make it a high priority.
    assessment = _section(view, "assessment", AssessmentSection)
    assert assessment.new_button.isEnabled() and not assessment.consent_box.isVisible()
    qtbot.mouseClick(assessment.new_button, LEFT)
    form = assessment.form
    assert form is not None and form.isVisible()
    _rate(qtbot, form, "housing.accommodation_on_release", 3)
    _rate(qtbot, form, "housing.stability", 2)
    _rate(qtbot, form, "employment.work_history", 0)  # no need there: a low priority
    assert form.domain_pages["housing"].score_label.text() == ("Score: 83.3 / 100 — priority: high")
    assert form.domain_pages["employment"].score_label.text() == (
        "Score: 0.0 / 100 — priority: low"
    )
    assert form.priorities.text() == "Housing after release"
    qtbot.mouseClick(form.save_button, LEFT)  # the domains left unrated are named first
    assert form.banner.text().startswith("Not rated yet")
    with qtbot.waitSignal(assessment.changed):
        qtbot.mouseClick(form.save_button, LEFT)
    assert assessment.form is None and assessment.list.topLevelItemCount() == 1
    assert assessment.list.topLevelItem(0).text(4) == "Housing after release"
    recorded = assessments.list_for(ctx, person_id)
    assert len(recorded) == 1
    assert recorded[0].status is AssessmentStatus.COMPLETED
    assert recorded[0].priority_domains == ["housing"]
    assert recorded[0].answers["housing.accommodation_on_release"] == 3

    # A plan: a goal on the priority domain, an action, activated.
    plan = _section(view, "plan", PlanSection)
    assert plan.stack.currentWidget() is plan.empty
    qtbot.mouseClick(plan.draft_button, LEFT)
    draft = plan.dialog
    assert isinstance(draft, DraftPlanDialog)
    qtbot.keyClicks(draft.title, "Preparer la sortie")
    with qtbot.waitSignal(plan.changed):
        draft.accept()
    assert plan.header.status_badge.text() == "Draft"
    qtbot.mouseClick(plan.add_goal_button, LEFT)
    goal_dialog = plan.dialog
    assert isinstance(goal_dialog, GoalDialog)
    assert goal_dialog.domain.value() == "housing"  # the priority comes first, marked
    assert "priority" in goal_dialog.domain.currentText()
    qtbot.keyClicks(goal_dialog.wording, "Trouver un hebergement a la sortie")
    with qtbot.waitSignal(plan.changed):
        goal_dialog.accept()
    goal_item = plan.tree.topLevelItem(0)
    assert goal_item.text(0) == "Trouver un hebergement a la sortie"
    plan.tree.setCurrentItem(goal_item)
    qtbot.mouseClick(plan.add_action_button, LEFT)
    action_dialog = plan.dialog
    assert isinstance(action_dialog, ActionDialog)
    qtbot.keyClicks(action_dialog.description, "Contacter le centre d'accueil")
    with qtbot.waitSignal(plan.changed):
        action_dialog.accept()
    assert plan.tree.topLevelItem(0).child(0).text(0) == "Contacter le centre d'accueil"
    activate = plan.header.lifecycle["activate"]
    assert activate.isVisible()
    with qtbot.waitSignal(plan.changed):
        qtbot.mouseClick(activate, LEFT)
    assert plan.header.status_badge.text() == "Active"
    assert not plan.banner.isVisible()
    [stored_plan] = plans.list_plans(ctx, person_id)
    assert stored_plan.status is PlanStatus.ACTIVE
    assert stored_plan.assessment_id == recorded[0].id
    [goal] = stored_plan.goals
    assert goal.domain_id == "housing"
    [action] = goal.actions
    assert action.description == "Contacter le centre d'accueil"
    assert action.responsible_kind is ResponsibleKind.STAFF
    assert action.responsible_staff_id == ctx.actor.staff_id

    # A follow-up session with its note.
    sessions = _section(view, "sessions", SessionsSection)
    assert sessions.stack.currentWidget() is sessions.empty
    qtbot.mouseClick(sessions.empty_record_button, LEFT)
    session_dialog = sessions.dialog
    assert isinstance(session_dialog, RecordSessionDialog)
    qtbot.keyClicks(session_dialog.topic, "Premier entretien")
    qtbot.keyClicks(session_dialog.note, "Il souhaite rejoindre sa mere a Fes.")
    with qtbot.waitSignal(sessions.changed):
        session_dialog.accept()
    assert sessions.table.topLevelItemCount() == 1
    assert sessions.table.topLevelItem(0).text(5) == "Premier entretien"
    assert sessions.note_view.toPlainText() == "Il souhaite rejoindre sa mere a Fes."
    [held] = followup.list_sessions(ctx, person_id)
    note = followup.current_note(ctx, held.id)
    assert note is not None and note.body == "Il souhaite rejoindre sa mere a Fes."
    assert held.staff_id == ctx.actor.staff_id

    # Back on the caseload, a few letters of the name find the person among others.
    beneficiaries.register(ctx, {"last_name": "Tazi", "first_name": "Karim"})
    caseload = _caseload(window)
    qtbot.waitUntil(lambda: caseload.model.rowCount() == 2)
    _settle(qtbot, caseload)
    caseload.search.setFocus()
    qtbot.keyClicks(caseload.search, "benn")
    qtbot.waitUntil(lambda: caseload.model.rowCount() == 1)
    _settle(qtbot, caseload)
    found = caseload.model.row_data(0)
    assert found is not None and found.last_name == "Bennani"
    assert caseload.model.beneficiary_id(0) == person_id
    assert caseload.stack.currentWidget() is caseload.table and caseload.table.isVisible()
    assert caseload.count_label.text() == "1 beneficiary"


# -- 2. locking, idle or on demand -----------------------------------------------------


def test_idle_lock_hides_the_case_and_keeps_the_edit(
    qtbot: QtBot, open_window: OpenWindow, owned_profile: Profile
) -> None:
    ctx = owner.owner_context(owned_profile.sessions)
    person = beneficiaries.register(
        ctx, {"last_name": "Bennani", "first_name": "Youssef", "phone": "0612345678"}
    )
    window = open_window(owned_profile)
    workspace = _workspace(window)
    view = workspace.open_case(person.id, "identity")
    assert isinstance(view, CaseFileView)
    identity = _section(view, "identity", IdentitySection)
    qtbot.mouseClick(identity.edit_button, LEFT)
    assert identity.editing
    phone = identity.fields["phone"].editor
    assert isinstance(phone, QLineEdit) and phone.isVisible()
    phone.clear()
    qtbot.keyClicks(phone, "0699887766")
    assert any("Bennani" in text for text in _visible_texts(window))

    # Nobody touches the laptop: the window locks itself.
    with qtbot.waitSignal(window.locked, timeout=5_000):
        window.idle.set_interval_ms(50)
    assert window.is_locked
    # Back to a normal delay, so the window does not lock again just after unlocking.
    window.idle.set_minutes(10)
    assert window.stack.currentWidget() is window.lock_screen
    assert window.lock_screen.isVisible()
    assert not workspace.isVisible() and not view.isVisible()
    assert not any("Bennani" in text or "0699887766" in text for text in _visible_texts(window))
    assert "Locked" in window.windowTitle()
    assert window.lock_screen.profile_label.text() == "Profile: amina-tazi"

    # A wrong passphrase says so and changes nothing.
    with qtbot.assertNotEmitted(window.unlocked):
        _try_passphrase(qtbot, window, "not my passphrase")
    assert window.lock_screen.prompt.message.text() == "Wrong passphrase."
    assert window.is_locked and not workspace.isVisible()

    # The right one: the edit in progress is exactly where it was.
    with qtbot.waitSignal(window.unlocked, timeout=SLOW_MS):
        _try_passphrase(qtbot, window, PASSPHRASE)
    assert not window.is_locked
    assert window.stack.currentWidget() is workspace and workspace.isVisible()
    assert window.workspace is workspace and window.windowTitle() == "Passerelle"
    assert identity.isVisible() and identity.editing
    assert phone.isVisible() and phone.text() == "0699887766"
    assert identity.changes() == {"phone": "0699887766"}
    assert beneficiaries.get(ctx, person.id).phone == "0612345678"  # nothing saved meanwhile

    # Ctrl+L locks at once.
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(window.locked):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked and not workspace.isVisible()
    assert phone.text() == "0699887766"  # the shortcut typed nothing into the field


# -- 3. the Arabic interface -----------------------------------------------------------


@pytest.fixture
def restore_english(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    apply_language(qapp, "en")


def _navigation_titles(workspace: Workspace) -> list[str]:
    navigation = workspace.navigation
    return [navigation.item(row).text() for row in range(navigation.count())]


def test_the_window_opens_in_arabic_right_to_left(
    open_window: OpenWindow, owned_profile: Profile, restore_english: QApplication
) -> None:
    apply_language(restore_english, "ar")
    window = open_window(owned_profile, Settings(language="ar"))
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    workspace = _workspace(window)
    assert workspace.layoutDirection() == Qt.LayoutDirection.RightToLeft
    worklist = _navigation_titles(workspace)[0]
    assert worklist == i18n._("Worklist") != "Worklist"
    assert ARABIC_LETTERS.search(worklist)
    assert window.status.connectivity.text() == i18n._("Local only: no sync server configured")


def test_choosing_arabic_in_the_settings_rebuilds_the_workspace(
    qtbot: QtBot,
    open_window: OpenWindow,
    owned_profile: Profile,
    settings_file: Path,
    restore_english: QApplication,
) -> None:
    apply_language(restore_english, "en")
    window = open_window(owned_profile, Settings(language="en"))
    english = _workspace(window)
    assert _navigation_titles(english)[0] == "Worklist"
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight

    page = english.show_page("settings")
    assert isinstance(page, SettingsPage)
    page.ui_language.setCurrentIndex(page.ui_language.findData("ar"))
    assert page.language_note.isVisible()
    with qtbot.waitSignal(window.unlocked):  # the workspace is built again, unlocked
        qtbot.mouseClick(page.save_button, LEFT)

    arabic = _workspace(window)
    assert arabic is not english
    assert window.stack.currentWidget() is arabic and arabic.isVisible()
    assert i18n.current_language() == "ar"
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert arabic.layoutDirection() == Qt.LayoutDirection.RightToLeft
    worklist = _navigation_titles(arabic)[0]
    assert worklist == i18n._("Worklist") and ARABIC_LETTERS.search(worklist)
    settings_title = _navigation_titles(arabic)[-2]
    assert settings_title == i18n._("Settings") and ARABIC_LETTERS.search(settings_title)
    assert load_settings(settings_file).language == "ar"
    assert window.settings.language == "ar"
