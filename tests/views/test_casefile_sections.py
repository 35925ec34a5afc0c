"""Every case-file tab is a CaseSection and keeps its contract, on real widgets: the empty
state while there is nothing, the content once a record is saved elsewhere and another
section says so (``changed``), and ``changed`` emitted by its own saves, not by refusals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.models import Beneficiary
from app.services import (
    assessments,
    beneficiaries,
    consent,
    documents,
    followup,
    partners,
    plans,
    referrals,
)
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.settings import Settings
from app.store.profile import Profile
from app.views.app_state import AppState
from app.views.casefile import CaseFileView, _sections
from app.views.casefile.section import CaseSection
from passerelle_core.enums import ConsentPurpose, DocumentKind, PartnerKind
from tests.documents.files import make_pdf

KEYS = [key for key, _title, _factory in _sections()]
Change = Callable[[ServiceContext, uuid.UUID, Path], object]


def _session(ctx: ServiceContext, person_id: uuid.UUID, _tmp: Path) -> object:
    return followup.record_session(
        ctx, person_id, held_on=ctx.today(), topic="Recherche d'emploi", note="Entretien."
    )


def _referral(ctx: ServiceContext, person_id: uuid.UUID, _tmp: Path) -> object:
    partner = partners.create_partner(ctx, {"name": "ANAPEC", "kind": PartnerKind.PUBLIC_SERVICE})
    consent.record(ctx, person_id, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    return referrals.refer(ctx, person_id, partner.id, reason="Atelier CV")


def _assessment(ctx: ServiceContext, person_id: uuid.UUID, _tmp: Path) -> object:
    consent.record(ctx, person_id, ConsentPurpose.ASSESSMENT)
    return assessments.record(ctx, person_id, {"housing.stability": 1})


def _document(ctx: ServiceContext, person_id: uuid.UUID, tmp: Path) -> object:
    make_pdf(tmp / "cin.pdf", 20_000, "COPIE-CIN")
    return documents.attach(ctx, person_id, tmp / "cin.pdf", DocumentKind.OTHER)


# What, saved elsewhere, gives each tab something to show.
CHANGES: dict[str, Change] = {
    "identity": lambda ctx, pid, _tmp: beneficiaries.update(ctx, pid, {"first_name": "Saïd"}),
    "assessment": _assessment,
    "plan": lambda ctx, pid, _tmp: plans.draft_plan(ctx, pid, title="Insertion"),
    "sessions": _session,
    "referrals": _referral,
    "documents": _document,
    "timeline": _session,
}


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})


@pytest.fixture
def view(qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary) -> CaseFileView:
    case_file = CaseFileView(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(case_file)
    case_file.resize(1100, 700)
    case_file.show()
    return case_file


@pytest.fixture
def change(ctx: ServiceContext, person: Beneficiary, tmp_path: Path) -> Callable[[str], object]:
    """Save elsewhere (through the services) what gives tab ``key`` something to show."""
    return lambda key: CHANGES[key](ctx, person.id, tmp_path)


def test_every_tab_is_a_case_section() -> None:
    assert set(CHANGES) == set(KEYS)
    for _key, _title, factory in _sections():
        assert isinstance(factory, type) and issubclass(factory, CaseSection), factory


def test_the_base_leaves_reload_to_each_section(
    qtbot: QtBot, profile: Profile, ctx: ServiceContext, person: Beneficiary
) -> None:
    bare = CaseSection(AppState(profile, ctx, Settings()), person.id)
    qtbot.addWidget(bare)
    with pytest.raises(NotImplementedError):
        bare.reload()


@pytest.mark.parametrize("key", KEYS)
def test_empty_then_shown_after_a_change_elsewhere(
    view: CaseFileView, change: Callable[[str], object], key: str
) -> None:
    section = view.section(key)
    view.show_section(key)
    assert isinstance(section, CaseSection)
    if key == "identity":
        assert section.empty is None and section.stack.currentWidget() is section.page
    elif key == "timeline":  # the intake is always there: a filter matching nothing empties it
        section.filter.setText("zzzz")  # type: ignore[attr-defined]
        assert section.stack.currentWidget() is section.empty
        section.filter.setText("")  # type: ignore[attr-defined]
    else:
        assert section.stack.currentWidget() is section.empty
    events_before = len(getattr(section, "events", []))

    change(key)
    other = view.section("sessions" if key != "sessions" else "plan")
    other.changed.emit()  # another tab saved: the case file has this one read again

    assert section.stack.currentWidget() is section.page
    if key == "identity":
        assert section.fields["first_name"].value() == "Saïd"  # type: ignore[attr-defined]
    elif key == "timeline":
        assert len(section.events) == events_before + 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", [k for k in KEYS if k != "timeline"])
def test_changed_after_a_save_not_after_a_refusal(
    view: CaseFileView, change: Callable[[str], object], key: str
) -> None:
    section = view.section(key)
    emitted: list[bool] = []
    section.changed.connect(lambda: emitted.append(True))

    def refused() -> None:
        raise ServiceError("Refusé pour l'essai.")

    assert not section.run(refused)
    assert section.banner.text() == "Refusé pour l'essai." and not emitted

    assert section.run(lambda: change(key))
    assert emitted == [True] and not section.banner.isVisible()
    assert section.stack.currentWidget() is section.page  # read again by the save
