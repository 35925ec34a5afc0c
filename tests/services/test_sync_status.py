"""What the desktop client reads about sync: figures, conflicts ready to show, labels.

Laptops are real encrypted profiles enrolled with a real ``passerelle-server`` process
(SQLite; the server's own tests cover PostgreSQL).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from app.i18n import set_language
from app.models import Beneficiary
from app.services import beneficiaries, sync_status
from app.services.context import ServiceContext
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from app.sync.errors import ClientTooOld, ServerReplaced, ServerUnavailable
from passerelle_core.enums import LegalStatus
from tests.conftest import PASSPHRASE
from tests.server.harness import Account, RunningServer, start_server
from tests.sync.conftest import Laptop

MakeLaptop = Callable[[Account], Laptop]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture
def laptop(server: RunningServer, tmp_path: Path) -> Iterator[MakeLaptop]:
    opened: list[Laptop] = []
    numbers = itertools.count(1)

    def make(account: Account) -> Laptop:
        folder = tmp_path / f"laptop-{next(numbers)}"
        profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
        engine.enrol(profile, server.url, account.username, account.password, folder.name)
        made = Laptop(profile, account, folder)
        opened.append(made)
        made.sync()
        return made

    yield make
    for made in opened:
        made.profile.close()


def _team() -> str:
    return f"Team {uuid.uuid4().hex[:8]}"


def _register(ctx: ServiceContext) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Youssef"}).id


def test_a_profile_without_a_server_is_local_only(profile: Profile, ctx: ServiceContext) -> None:
    snapshot = sync_status.read_snapshot(profile)
    assert not snapshot.enrolled and not sync_status.is_enrolled(profile)
    assert (snapshot.last_sync_at, snapshot.conflicts, snapshot.quarantined) == (None, 0, 0)


def test_changes_wait_until_a_sync_sends_them(server: RunningServer, laptop: MakeLaptop) -> None:
    first = laptop(server.add_user(team=_team()))
    before = sync_status.read_snapshot(first.profile)
    assert before.enrolled and before.server_url == server.url
    assert before.last_sync_at is not None and before.pending == 0
    _register(first.ctx)
    assert sync_status.read_snapshot(first.profile).pending == 1
    first.sync()
    after = sync_status.read_snapshot(first.profile)
    assert after.pending == 0 and after.last_sync_at is not None
    assert after.last_sync_at >= before.last_sync_at
    assert not after.must_erase


def test_conflicts_come_with_their_case_values_authors_and_referenced_names(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    team = _team()
    amina = server.add_user(team=team, full_name="Amina Tazi")
    karim = server.add_user(team=team, full_name="Karim Idrissi")
    salma = server.add_user(team=team, full_name="Salma Berrada")
    first, second = laptop(amina), laptop(karim)
    person = _register(first.ctx)
    first.sync()
    second.sync()
    beneficiaries.update(
        first.ctx,
        person,
        {
            "phone": "0611111111",
            "legal_status": LegalStatus.CONDITIONAL_RELEASE,
            "expected_release_date": date(2027, 3, 1),
            "assigned_staff_id": karim.staff_id,
        },
    )
    beneficiaries.update(
        second.ctx,
        person,
        {
            "phone": "0622222222",
            "legal_status": LegalStatus.RELEASED,
            "expected_release_date": date(2026, 12, 1),
            "assigned_staff_id": salma.staff_id,
        },
    )
    first.sync()
    assert second.sync().conflicts == 1  # one change, four conflicting fields
    lines = {line.field: line for line in sync_status.conflict_lines(second.ctx)}
    assert set(lines) == {"phone", "legal_status", "expected_release_date", "assigned_staff_id"}
    phone = lines["phone"]
    assert (phone.target_type, phone.target_id, phone.case_id) == ("beneficiary", person, person)
    assert phone.beneficiary_name == "ALAOUI Youssef" and not phone.is_deletion
    assert (phone.kept.value, phone.kept.author) == ("0611111111", "Amina Tazi")
    assert (phone.other.value, phone.other.author) == ("0622222222", "Karim Idrissi")
    assert isinstance(phone.kept.at, datetime) and isinstance(phone.other.at, datetime)
    assert lines["legal_status"].kept.value is LegalStatus.CONDITIONAL_RELEASE
    assert lines["legal_status"].other.value is LegalStatus.RELEASED
    assert lines["expected_release_date"].other.value == date(2026, 12, 1)
    staff = lines["assigned_staff_id"]
    assert (staff.kept.value, staff.kept.reference) == (karim.staff_id, "Karim Idrissi")
    assert (staff.other.value, staff.other.reference) == (salma.staff_id, "Salma Berrada")


def test_an_edit_against_a_deletion_is_a_deletion_conflict(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    team = _team()
    editor, deleter = laptop(server.add_user(team=team)), laptop(server.add_user(team=team))
    person = _register(editor.ctx)
    editor.sync()
    deleter.sync()
    beneficiaries.update(editor.ctx, person, {"address": "Hay Hassani"})
    beneficiaries.delete(deleter.ctx, person)
    editor.sync()
    deleter.sync()
    [line] = sync_status.conflict_lines(deleter.ctx)
    assert line.is_deletion and line.kept.value is None
    assert isinstance(line.other.value, datetime)
    assert line.beneficiary_name == "ALAOUI Youssef"  # the case stays alive with the edit


def test_changes_refused_for_good_are_counted_and_listed(
    server: RunningServer, laptop: MakeLaptop
) -> None:
    first = laptop(server.add_user(team=_team()))
    person = _register(first.ctx)
    first.sync()
    with first.ctx.transaction() as session:
        record = session.get(Beneficiary, person)
        assert record is not None
        record.phone = "0" * 80  # longer than the model allows: refused for good
    first.sync()
    assert sync_status.read_snapshot(first.profile).quarantined == 1
    [refused] = sync_status.refused_changes(first.profile)
    assert (refused.record_type, refused.record_id) == ("beneficiary", person)


def test_only_an_unreachable_server_means_offline() -> None:
    assert sync_status.is_offline(ServerUnavailable("ConnectError"))
    assert not sync_status.is_offline(ClientTooOld())
    assert not sync_status.is_offline(ServerReplaced())
    assert not sync_status.is_offline(ValueError("a bug"))


def test_record_kinds_and_fields_have_labels_and_unknown_ones_fall_back() -> None:
    assert sync_status.record_kind_label("follow_up_session") == "Follow-up session"
    assert sync_status.field_label("expected_release_date") == "Expected release"
    assert sync_status.record_kind_label("new_kind") == "new kind"
    assert sync_status.field_label("some_new_field") == "some new field"
    try:
        set_language("fr")
        assert sync_status.field_label("phone") != ""  # translated at call time
    finally:
        set_language("en")
