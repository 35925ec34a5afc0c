"""Arabic first-class: its own column in the caseload, Arabic names first in the Arabic
interface (caseload, case-file tab and header, worklist), Latin names in French."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from app.services import beneficiaries, search
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile import CaseFileView
from app.views.caseload import CaseloadPage
from app.views.caseload_model import COLUMNS
from app.views.meeting_dialog import hit_text
from app.views.meetings import MeetingsPage
from app.views.worklist import WorklistPage

HIND = {
    "last_name": "El Idrissi",
    "first_name": "Hind",
    "last_name_ar": "الإدريسي",
    "first_name_ar": "هند",
}


def test_names_in_the_interface_language_first(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, language: str
) -> None:
    release = (ctx.today() + timedelta(days=10)).isoformat()  # a release soon: on the worklist
    person = beneficiaries.register(
        ctx, {**HIND, "legal_status": "sentenced", "expected_release_date": release}
    )
    state = AppState(profile, ctx, Settings())

    page = CaseloadPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: not page.model.busy and page.model.rowCount() == 1)
    keys = [column.key for column in COLUMNS]
    header = page.table.horizontalHeader()
    name_ar = page.model.index(0, keys.index("name_ar")).data()
    assert page.model.index(0, keys.index("name")).data() == "EL IDRISSI Hind"
    assert "هند الإدريسي" in name_ar  # whole, in its own column
    first_shown = header.logicalIndex(0)
    assert keys[first_shown] == ("name_ar" if language == "ar" else "name")

    view = CaseFileView(state, person.id)
    qtbot.addWidget(view)
    assert view.title() == ("هند الإدريسي" if language == "ar" else "EL IDRISSI Hind")
    header_text = view.header.text()
    arabic_at, latin_at = header_text.index("هند"), header_text.index("EL IDRISSI")
    assert (arabic_at < latin_at) == (language == "ar")

    worklist = WorklistPage(state)
    qtbot.addWidget(worklist)
    lines = worklist.work_lines()
    assert lines
    shown = lines[0].text(2)
    assert shown.lstrip("\u2067").startswith("هند") == (language == "ar")


def test_dialogs_name_people_in_the_interface_language_first(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, language: str
) -> None:
    """The meeting's person picker, a meeting's decisions and the dashboard's case lists
    name the person through the one helper (labels.person_name)."""
    person = beneficiaries.register(ctx, HIND)
    [hit] = search.search(ctx, "Hind")
    picked = hit_text(hit)
    page = MeetingsPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    decided = page._person(person.id)
    if language == "ar":
        assert picked.index("هند الإدريسي") < picked.index("EL IDRISSI Hind")
        assert decided.index("الإدريسي") < decided.index("EL IDRISSI")
    else:
        assert picked.index("EL IDRISSI Hind") < picked.index("هند الإدريسي")
        assert "الإدريسي" not in decided and "Hind" in decided
