"""The needs-assessment section: consent first, a form generated from the instrument with
live scores, overrides with reasons, and the charts of domain scores."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QRadioButton
from pytestqt.qtbot import QtBot

from app.instruments import Priority, load_builtin
from app.services import assessments, beneficiaries, consent
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile.assessment import AssessmentSection
from app.views.casefile.assessment_form import AssessmentForm
from app.views.casefile.identity import IdentitySection
from app.views.charts import ChartSeries, DomainHistoryChart, DomainScoresChart
from passerelle_core.enums import AssessmentStage, AssessmentStatus, ConsentPurpose

LEFT = Qt.MouseButton.LeftButton
INSTRUMENT = load_builtin(assessments.DEFAULT_INSTRUMENT)


@pytest.fixture
def state(profile: Profile, ctx: ServiceContext) -> AppState:
    return AppState(profile, ctx, Settings())


@pytest.fixture
def person_id(ctx: ServiceContext) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": "Bennani", "first_name": "Youssef"}).id


@pytest.fixture
def consented(ctx: ServiceContext, person_id: uuid.UUID) -> uuid.UUID:
    consent.record(ctx, person_id, ConsentPurpose.ASSESSMENT)
    return person_id


def _section(qtbot: QtBot, state: AppState, person_id: uuid.UUID) -> AssessmentSection:
    section = AssessmentSection(state, person_id)
    qtbot.addWidget(section)
    section.resize(1100, 700)
    section.show()
    qtbot.waitExposed(section)
    return section


def _rate(qtbot: QtBot, form: AssessmentForm, item_id: str, value: int | None) -> None:
    domain_id = item_id.split(".")[0]
    form.show_domain(domain_id)
    button: QRadioButton = form.domain_pages[domain_id].items[item_id].button_for(value)
    qtbot.mouseClick(button, LEFT, pos=button.rect().center())
    assert button.isChecked()


def test_new_assessment_needs_consent_first(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, person_id: uuid.UUID
) -> None:
    identity = IdentitySection(state, person_id)
    qtbot.addWidget(identity)
    section = _section(qtbot, state, person_id)
    identity.changed.connect(section.reload)  # what the case file container does
    assert not section.new_button.isEnabled()
    assert section.consent_box.isVisible()
    assert section.new_assessment() is None

    dialog = identity.consents.open_record_dialog()
    dialog.purpose.select(ConsentPurpose.ASSESSMENT)
    with qtbot.waitSignal(identity.changed):
        dialog.accept()
    assert section.new_button.isEnabled()
    assert not section.consent_box.isVisible()


def test_withdrawn_consent_disables_new_assessments_again(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, consented: uuid.UUID
) -> None:
    section = _section(qtbot, state, consented)
    assert section.new_button.isEnabled()
    consent.withdraw(ctx, consent.list_for(ctx, consented)[0].id)
    section.reload()
    assert not section.new_button.isEnabled()


def test_the_form_is_generated_from_the_instrument(
    qtbot: QtBot, state: AppState, consented: uuid.UUID
) -> None:
    section = _section(qtbot, state, consented)
    form = section.new_assessment()
    assert form is not None and section.over is form and form.isVisible()
    assert list(form.domain_pages) == [domain.id for domain in INSTRUMENT.domains]
    assert form.domain_list.count() == len(INSTRUMENT.domains) + 1  # and the summary
    housing = form.domain_pages["housing"]
    assert list(housing.items) == [item.id for item in INSTRUMENT.domain("housing").items]
    buttons = housing.items["housing.stability"].group.buttons()
    assert [b.text() for b in buttons] == [
        "Not rated",
        "No need",
        "Mild need",
        "Moderate need",
        "Serious need",
    ]


def test_scores_update_live_as_answers_are_given(
    qtbot: QtBot, state: AppState, consented: uuid.UUID
) -> None:
    form = _section(qtbot, state, consented).new_assessment()
    assert form is not None
    page = form.domain_pages["housing"]
    assert page.score_label.text() == "Not scored yet: no item rated."
    # need4 runs 0..3: a 3 is a need of 1, a 2 of 2/3; mean 5/6 = 83.3 -> high (>= 67).
    _rate(qtbot, form, "housing.accommodation_on_release", 3)
    _rate(qtbot, form, "housing.stability", 2)
    assert page.score_label.text() == "Score: 83.3 / 100 — priority: high"
    assert page.answered_label.text() == "2 of 5 items rated"
    assert form.domain_list.item(0).text() == "Housing after release — 83.3"
    assert form.priorities.text() == "Housing after release"
    # A 0 adds a need of 0: mean 5/9 = 55.6 -> medium (34 <= score < 67).
    _rate(qtbot, form, "housing.suitability", 0)
    assert page.score_label.text() == "Score: 55.6 / 100 — priority: medium"
    assert form.priorities.text() == "None so far (no domain with a high priority)."
    # Back to "Not rated": the item no longer counts.
    _rate(qtbot, form, "housing.suitability", None)
    assert page.score_label.text() == "Score: 83.3 / 100 — priority: high"


def _say_unrated_then_confirm(qtbot: QtBot, form: AssessmentForm) -> None:
    """Completing with domains left unrated names them first; saving again confirms."""
    qtbot.mouseClick(form.save_button, LEFT)
    assert form.banner.isVisible() and form.banner.text().startswith("Not rated yet")
    assert form.unrated_domains()


def test_save_creates_the_assessment_with_the_answers(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, consented: uuid.UUID
) -> None:
    section = _section(qtbot, state, consented)
    form = section.new_assessment()
    assert form is not None
    form.stage.select(AssessmentStage.PRE_RELEASE)
    form.assessed_on.setDate(form.assessed_on.date().addDays(-3))
    _rate(qtbot, form, "housing.accommodation_on_release", 3)
    _rate(qtbot, form, "employment.work_history", 1)
    note = form.domain_pages["housing"].items["housing.accommodation_on_release"].note
    qtbot.keyClicks(note, "Sa soeur peut l'heberger")
    form.notes.setPlainText("Entretien en arabe dialectal.")
    _say_unrated_then_confirm(qtbot, form)
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(form.save_button, LEFT)
    [saved] = assessments.list_for(ctx, consented)
    assert saved.answers == {"housing.accommodation_on_release": 3, "employment.work_history": 1}
    assert saved.item_notes == {"housing.accommodation_on_release": "Sa soeur peut l'heberger"}
    assert (saved.stage, saved.status) == (AssessmentStage.PRE_RELEASE, AssessmentStatus.COMPLETED)
    assert saved.assessed_on == ctx.today() - timedelta(days=3)
    assert saved.notes == "Entretien en arabe dialectal."
    assert saved.priority_domains == ["housing"]
    # Back on the overview, which lists it.
    assert section.form is None and section.over is None and section.body.isVisible()
    assert section.stack.currentWidget() is section.page
    row = section.list.topLevelItem(0)
    assert row is not None and row.text(4) == "Housing after release"


def test_an_override_without_a_reason_is_refused(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, consented: uuid.UUID
) -> None:
    section = _section(qtbot, state, consented)
    form = section.new_assessment()
    assert form is not None
    _rate(qtbot, form, "education.schooling_level", 1)
    page = form.domain_pages["education"]
    page.override_combo.select(Priority.HIGH)
    assert page.reason.isEnabled()
    form.show_domain("housing")
    with qtbot.assertNotEmitted(section.changed):
        qtbot.mouseClick(form.save_button, LEFT)
    assert assessments.list_for(ctx, consented) == []
    assert form.banner.isVisible()
    assert page.reason_error.isVisible()
    assert page.reason_error.text() == "Overriding a priority needs a reason."
    assert form.pages.currentWidget() is page  # taken to the domain to fix
    # The override already counts in the live summary.
    assert form.priorities.text() == "Education"

    qtbot.keyClicks(page.reason, "Ne sait pas lire: priorite pour la formation")
    _say_unrated_then_confirm(qtbot, form)
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(form.save_button, LEFT)
    [saved] = assessments.list_for(ctx, consented)
    assert saved.priority_overrides == {
        "education": {"priority": "high", "reason": "Ne sait pas lire: priorite pour la formation"}
    }
    assert saved.priority_domains == ["education"]


def test_open_an_assessment_to_correct_it(
    qtbot: QtBot, state: AppState, ctx: ServiceContext, consented: uuid.UUID
) -> None:
    first = assessments.record(ctx, consented, {"housing.stability": 1})
    section = _section(qtbot, state, consented)
    form = section.open_selected()
    assert form is not None and form.assessment is not None
    assert form.answers() == {"housing.stability": 1}
    assert not form.stage.isEnabled()
    _rate(qtbot, form, "housing.stability", 3)
    _say_unrated_then_confirm(qtbot, form)
    with qtbot.waitSignal(section.changed):
        qtbot.mouseClick(form.save_button, LEFT)
    [saved] = assessments.list_for(ctx, consented)
    assert saved.id == first.id and saved.answers == {"housing.stability": 3}


def test_cancel_a_blank_form_returns_to_the_overview(
    qtbot: QtBot, state: AppState, consented: uuid.UUID
) -> None:
    section = _section(qtbot, state, consented)
    form = section.new_assessment()
    assert form is not None
    qtbot.mouseClick(form.cancel_button, LEFT)
    assert section.form is None and section.new_button.isEnabled()


def test_the_form_survives_a_reload(qtbot: QtBot, state: AppState, consented: uuid.UUID) -> None:
    section = _section(qtbot, state, consented)
    form = section.new_assessment()
    assert form is not None
    _rate(qtbot, form, "housing.stability", 2)
    section.reload()  # another section saved, or the window was unlocked
    assert section.form is form and section.over is form and form.isVisible()
    assert form.answers() == {"housing.stability": 2}


def _domains() -> list[tuple[str, str]]:
    return [(domain.id, domain.label.en) for domain in INSTRUMENT.domains]


@pytest.mark.parametrize("count", [0, 1, 5])
@pytest.mark.parametrize(
    "direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft]
)
def test_history_chart_paints(qtbot: QtBot, count: int, direction: Qt.LayoutDirection) -> None:
    chart = DomainHistoryChart()
    qtbot.addWidget(chart)
    chart.setLayoutDirection(direction)
    series = [
        ChartSeries(
            f"2025-0{index + 1}-01",
            {d: (index * 17 + n * 7) % 101 for n, (d, _l) in enumerate(_domains())},
        )
        for index in range(count)
    ]
    chart.set_history(_domains(), series, INSTRUMENT.thresholds)
    chart.resize(600, chart.sizeHint().height())
    image = chart.grab().toImage()
    assert not image.isNull() and image.width() == 600
    expected = [f"2025-0{index + 1}-01" for index in range(count)][-4:]
    assert chart.series_labels() == expected  # the latest four, oldest first


def test_scores_chart_paints_and_mirrors(qtbot: QtBot) -> None:
    scores: dict[str, float | None] = {domain_id: 80.0 for domain_id, _label in _domains()}
    scores["children"] = None
    images = []
    for direction in (Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft):
        chart = DomainScoresChart()
        qtbot.addWidget(chart)
        chart.setLayoutDirection(direction)
        chart.set_scores(_domains(), scores, INSTRUMENT.thresholds)
        chart.resize(600, chart.sizeHint().height())
        images.append(chart.grab().toImage())
    ltr, rtl = images
    # The bars start beside the labels: on the right half in left-to-right, mirrored.
    top, bottom, domain_id = chart.row_bounds()[0]
    assert domain_id == "housing"
    y = int((top + bottom) / 2)
    high = ltr.pixelColor(ltr.width() * 3 // 4, y)
    assert high.name() == "#c8574d"
    assert rtl.pixelColor(rtl.width() // 4, y).name() == "#c8574d"
