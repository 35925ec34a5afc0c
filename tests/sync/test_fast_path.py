"""The initial sync's fast path (no secondary or search index while filling, pages decoded
in another process) ends exactly where the normal path ends, even killed half-way."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.demo import fill_profile
from app.services import search
from app.store import deferred_indexes
from app.store.profile import Profile
from app.sync import decoder as decoder_module
from app.sync import outbox, pull
from app.sync.engine import SyncOptions, SyncReport
from app.sync.pull import PageApplier, PageOutcome
from tests.conftest import PASSPHRASE
from tests.server.harness import Account, RunningServer
from tests.sync.conftest import Laptop, server_state

ROOT = Path(__file__).resolve().parents[2]
PAGES = SyncOptions(page_size=40, commit_seconds=0)  # many pages, each committed
LOCAL_ONLY = {"sync_state", "profile_setting", "access_log", "alembic_version"}
"""Tables that differ between two laptops for reasons of their own (device, log)."""


@pytest.fixture(scope="module")
def caseload(server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Account]:
    """An administrator's server filled with demo cases (Arabic and Latin names)."""
    from app.store.keys import KdfParams
    from app.sync import engine

    admin = server.add_user("admin")
    folder = tmp_path_factory.mktemp("source") / "laptop"
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    engine.enrol(profile, server.url, admin.username, admin.password, "source")
    fill_profile(profile, beneficiaries=8, seed=23)
    outbox.queue_all(profile)
    engine.sync(profile)
    profile.close()
    yield admin


def snapshot(profile: Profile) -> dict[str, Any]:
    """Every table's rows (search index shadow tables aside), the index and trigger
    list, and what a few Latin and Arabic searches find."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with profile.engine.connect() as connection:
        names = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in names:
            if name in LOCAL_ONLY or (
                name.startswith("beneficiary_search") and name != "beneficiary_search_map"
            ):
                continue
            rows = connection.exec_driver_sql(f'SELECT * FROM "{name}"').all()
            tables[name] = sorted((tuple(row) for row in rows), key=repr)
        schema = connection.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE type IN ('index', 'trigger') ORDER BY name"
        ).all()
        people = connection.exec_driver_sql(
            "SELECT last_name, first_name, last_name_ar FROM beneficiary ORDER BY rowid LIMIT 4"
        ).all()
    ctx = _owner(profile)
    queries = [q for p in people for q in (p[0][:3], f"{p[0]} {p[1]}", p[2] or "")] + ["ا", "el"]
    found = {q: [hit.beneficiary_id for hit in search.search(ctx, q)] for q in queries if q}
    return {"tables": tables, "schema": schema, "search": found}


def _owner(profile: Profile) -> Any:
    from app.services import owner

    return owner.owner_context(profile.sessions)


def _counting_decoder(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    submitted: list[int] = []
    submit = decoder_module.PageDecoder.submit

    def counted(self: decoder_module.PageDecoder, raw: bytes) -> bool:
        submitted.append(len(raw))
        return submit(self, raw)

    monkeypatch.setattr(decoder_module.PageDecoder, "submit", counted)
    return submitted


def _normal(
    laptop: Callable[..., Laptop], account: Account, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, SyncReport]:
    with monkeypatch.context() as patch:
        patch.setattr(pull, "_fresh", lambda _connection: False)
        made = laptop(account, first_sync=False)
        return made, made.sync(PAGES)


def test_the_fast_path_gives_the_normal_path_s_database(
    server: RunningServer,
    caseload: Account,
    laptop: Callable[..., Laptop],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    normal, normal_report = _normal(laptop, caseload, monkeypatch)
    submitted = _counting_decoder(monkeypatch)
    fast = laptop(caseload, first_sync=False)
    fast_report = fast.sync(PAGES)
    assert len(submitted) == fast_report.pages > 3  # decoded in the other process
    assert fast_report.received == normal_report.received > 300
    assert fast.state() == normal.state() == server_state(server, caseload)
    expected = snapshot(normal.profile)
    assert snapshot(fast.profile) == expected
    assert any(expected["search"].values())  # the searches do find people
    with fast.profile.engine.connect() as connection:
        assert not deferred_indexes.is_deferred(connection)


def test_a_record_whose_parent_never_comes_is_held_and_named_on_both_paths(
    caseload: Account, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first person is left out of every page: their records wait for them."""
    apply = PageApplier.apply
    left_out: list[uuid.UUID] = []

    def without_first_person(self: PageApplier, states: Any) -> PageOutcome:
        kept = []
        for state in states:
            if state.record_type == "beneficiary" and not left_out:
                left_out.append(state.record_id)
            if state.record_type == "beneficiary" and state.record_id in left_out:
                continue
            kept.append(state)
        return apply(self, kept)

    monkeypatch.setattr(PageApplier, "apply", without_first_person)
    normal, normal_report = _normal(laptop, caseload, monkeypatch)
    fast = laptop(caseload, first_sync=False)
    fast_report = fast.sync(PAGES)
    assert normal_report.held == fast_report.held > 0
    assert fast_report.held_records == normal_report.held_records
    assert fast_report.held_records  # named: type, id and why
    with fast.profile.engine.connect() as connection:
        reasons = connection.exec_driver_sql("SELECT reason FROM sync_held").scalars().all()
    assert any(str(left_out[0]) in (reason or "") for reason in reasons)
    assert all((reason or "").startswith("waiting for ") for reason in reasons)  # or its child
    assert snapshot(fast.profile) == snapshot(normal.profile)


def test_a_page_the_decoding_process_does_not_take_is_parsed_the_careful_way(
    caseload: Account, laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages in an unusual spelling (upper-case ids) are still accepted, same result."""
    real = decoder_module.decode_here
    careful: list[int] = []

    def upper(self: decoder_module.PageDecoder, raw: bytes) -> bool:
        return False  # as if the child were gone: every page decoded here

    def counted(raw: bytes) -> Any:
        careful.append(1)
        return real(raw)

    monkeypatch.setattr(decoder_module.PageDecoder, "submit", upper)
    normal, _report = _normal(laptop, caseload, monkeypatch)  # its later pages too
    monkeypatch.setattr("app.sync.feed.decode_here", counted)
    fast = laptop(caseload, first_sync=False)
    report = fast.sync(PAGES)
    assert len(careful) == report.pages
    assert snapshot(fast.profile) == snapshot(normal.profile)


def test_the_decoding_process_answers_as_the_careful_path() -> None:
    """Odd spellings go back to the careful path; ordinary ones are decoded alike."""
    from app.sync.decode import layouts, plans, stored_values
    from app.sync.decode_worker import compiled, decode_page
    from app.sync.wire_plan import row_of

    tables = compiled(plans(), layouts())
    person = "3a0879fb-dc78-43b3-a919-b5aaf0c99bea"
    data = {
        "id": person,
        "last_name": "Idrissi",
        "first_name": "Hamza",
        "last_name_ar": "الإدريسي",
        "created_at": "2026-01-01T10:00:00+00:00",
        "updated_at": "2026-01-01T10:00:00.250000+00:00",
    }
    record = {"seq": 1, "record_type": "beneficiary", "record_id": person, "version": 1}
    record |= {"deleted": False, "data": data, "case_id": person}
    page = {"server_id": person, "records": [record], "next_cursor": 1, "has_more": False}
    decoded = decode_page(__import__("json").dumps(page).encode(), tables)
    assert decoded is not None
    row = decoded[1][6][0]
    values = stored_values("beneficiary", data) | {"id": person.replace("-", "")}
    assert row == row_of(layouts()["beneficiary"], values)
    odd = page | {"records": [record | {"record_id": person.upper()}]}
    assert decode_page(__import__("json").dumps(odd).encode(), tables) is None
    newer = page | {"records": [record | {"record_type": "not_yet_known"}]}
    unknown = decode_page(__import__("json").dumps(newer).encode(), tables)
    assert unknown is not None and unknown[1][6][0] is None  # held by the careful path


KILL = {
    # indexes dropped and committed, no page yet
    "before-pages": """
        from app.sync import decoder
        start = decoder.PageDecoder.__init__
        def die(self):
            os.kill(os.getpid(), signal.SIGKILL)
        decoder.PageDecoder.__init__ = die
    """,
    # three pages committed, the fourth written and not committed
    "between-pages": """
        from app.sync.pull import PageApplier
        apply = PageApplier.apply
        pages = []
        def die(self, states):
            outcome = apply(self, states)
            pages.append(1)
            if len(pages) == 4:
                os.kill(os.getpid(), signal.SIGKILL)
            return outcome
        PageApplier.apply = die
    """,
    # every page in, the indexes being rebuilt
    "while-rebuilding": """
        from app.store import search_index
        def die(connection):
            os.kill(os.getpid(), signal.SIGKILL)
        search_index.rebuild = die
    """,
}


@pytest.mark.parametrize("moment", list(KILL))
def test_killed_during_the_fast_path_ends_as_the_normal_path(
    caseload: Account,
    laptop: Callable[..., Laptop],
    monkeypatch: pytest.MonkeyPatch,
    moment: str,
) -> None:
    normal, _report = _normal(laptop, caseload, monkeypatch)
    expected = snapshot(normal.profile)
    killed = laptop(caseload, first_sync=False)
    killed.profile.close()
    _die_while(KILL[moment], killed.folder)

    reopened = Profile.open(killed.folder, PASSPHRASE)  # restores what was set aside
    try:
        with reopened.engine.connect() as connection:
            assert not deferred_indexes.is_deferred(connection)
            schema = connection.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE type IN ('index', 'trigger') ORDER BY name"
            ).all()
        assert schema == expected["schema"]
        from app.sync import engine

        report = engine.sync(reopened, PAGES)
        assert report.held == 0
        assert snapshot(reopened) == expected
    finally:
        reopened.close()


def _die_while(script: str, folder: Path) -> None:
    code = (
        textwrap.dedent(
            """
            import os, signal, sys
            from pathlib import Path
            from app.store.profile import Profile
            from app.sync import engine
            """
        )
        + textwrap.dedent(script)
        + textwrap.dedent(
            """
            profile = Profile.open(Path(sys.argv[1]), sys.argv[2])
            engine.sync(profile, engine.SyncOptions(page_size=40, commit_seconds=0))
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(folder), PASSPHRASE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
