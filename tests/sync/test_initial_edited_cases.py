"""An initial sync from a server whose people were edited after their records were made
(every real server): each person's children arrive before the person, are held, and are
written when the person comes, on the fast path as on the normal one."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from app.demo import fill_profile
from app.models import SYNCED_MODELS, Beneficiary
from app.store.profile import Profile
from app.sync import outbox, pull
from app.sync.pull import PageApplier, PageOutcome
from app.sync.state import HELD, model_table
from tests.conftest import PASSPHRASE
from tests.server.harness import Account, RunningServer
from tests.sync.conftest import Laptop, server_state
from tests.sync.test_fast_path import PAGES, _counting_decoder, _normal, snapshot


@pytest.fixture(scope="module")
def edited_caseload(
    server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Account]:
    """Demo cases pushed, then every person edited: their newest states come last."""
    from app.services import owner
    from app.store.keys import KdfParams
    from app.sync import engine

    admin = server.add_user("admin")
    folder = tmp_path_factory.mktemp("edited") / "laptop"
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    engine.enrol(profile, server.url, admin.username, admin.password, "source")
    fill_profile(profile, beneficiaries=8, seed=31)
    outbox.queue_all(profile)
    engine.sync(profile)
    ctx = owner.owner_context(profile.sessions)
    with ctx.transaction() as session:
        for number, person in enumerate(session.scalars(select(Beneficiary))):
            person.phone = f"0600{number:06d}"
    engine.sync(profile)
    profile.close()
    yield admin


def _held_on_the_way(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records were held after each page."""
    counts: list[int] = []
    apply = PageApplier.apply

    def counted(self: PageApplier, states: object) -> PageOutcome:
        outcome = apply(self, states)  # type: ignore[arg-type]
        counts.append(outcome.held)
        return outcome

    monkeypatch.setattr(PageApplier, "apply", counted)
    return counts


def test_children_held_until_their_edited_person_comes_end_as_the_normal_path(
    server: RunningServer,
    edited_caseload: Account,
    laptop: Callable[..., Laptop],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    normal, normal_report = _normal(laptop, edited_caseload, monkeypatch)
    submitted = _counting_decoder(monkeypatch)
    held = _held_on_the_way(monkeypatch)
    fast = laptop(edited_caseload, first_sync=False)
    fast_report = fast.sync(PAGES)
    assert len(submitted) == fast_report.pages > 3  # the fast path, pages decoded apart
    assert max(held) > 20 and held[-1] == 0  # many held on the way, none at the end
    assert fast_report.held == normal_report.held == 0
    assert fast_report.received == normal_report.received > 300
    assert fast.state() == normal.state() == server_state(server, edited_caseload)
    assert snapshot(fast.profile) == snapshot(normal.profile)
    with fast.profile.engine.connect() as connection:
        assert connection.execute(select(HELD.c.record_id)).first() is None


def test_insert_groups_go_parents_first_whatever_order_they_came_in() -> None:
    names = [model_table(model).name for model in SYNCED_MODELS]
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    groups = {name: [name] for name in shuffled}
    assert [name for name, _rows in pull._parents_first(groups)] == names
