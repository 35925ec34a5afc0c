"""A case lately transferred to the counsellor is marked in her caseload with a sign and
words ("Transferred to you"), not only in the worklist and the timeline; French and Arabic."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app.services import beneficiaries, transfers
from app.services.context import ServiceContext
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.caseload import CaseloadPage
from app.views.caseload_model import STAFF, TRANSFER_SIGN
from passerelle_core.enums import StaffRole

Colleague = Callable[..., ServiceContext]
WORDS = {"fr": "Transfert reçu", "ar": "ملف منقول إليك"}


def test_a_case_transferred_to_me_is_marked(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, colleague: Colleague, language: str
) -> None:
    leaving = colleague(StaffRole.SOCIAL_WORKER, "Nadia Berrada")
    supervisor = colleague(StaffRole.SUPERVISOR, "Karima Fassi")
    mine = beneficiaries.register(ctx, {"last_name": "Alami", "first_name": "Sara"})
    moved = beneficiaries.register(leaving, {"last_name": "Tazi", "first_name": "Omar"})
    transfers.transfer(
        supervisor, [moved.id], reason="Départ de la conseillère", to_staff_id=ctx.actor.staff_id
    )

    page = CaseloadPage(AppState(profile, ctx, Settings()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    model = page.model

    def staff_text(case_id: object) -> str:
        row = next(r for r in range(model.rowCount()) if model.beneficiary_id(r) == case_id)
        return str(model.index(row, STAFF).data())

    qtbot.waitUntil(lambda: model.rowCount() == 2 and TRANSFER_SIGN in staff_text(moved.id))
    assert staff_text(moved.id).startswith(f"{TRANSFER_SIGN} {WORDS[language]}")
    assert TRANSFER_SIGN not in staff_text(mine.id)
