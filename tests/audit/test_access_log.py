"""The access log on a laptop: every access recorded, never the content; append-only; any
entry altered, removed or moved is named by ``passerelle audit verify``."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.models import AccessAction, AccessLogEntry
from app.models.audit import AppendOnlyError
from app.services import audit, beneficiaries, conflicts, owner
from app.services.context import ServiceContext
from app.services.errors import NotAllowed
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import state
from app.sync.audit_upload import ACKED_KEY
from passerelle_core.audit_protocol import BreakKind, ChainBreak
from passerelle_core.enums import StaffRole
from tests.audit.conftest import PERSONAL, build_history, raw_rows, swap, tamper
from tests.conftest import PASSPHRASE

Colleague = Callable[[StaffRole], ServiceContext]


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_PASSPHRASE", PASSPHRASE)


def passerelle(*args: str | Path) -> int:
    return main(["--lang", "en", *map(str, args)])


def test_every_kind_of_access_is_recorded_without_content(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, tmp_path: Path
) -> None:
    supervisor = colleague(StaffRole.SUPERVISOR)
    history = build_history(ctx, profile.engine)
    case = history.beneficiary_id
    conflicts.resolve(ctx, history.conflict_id, "other")
    audit.open_case(ctx, case)
    audit.record_access(ctx, AccessAction.PRINT, "beneficiary", case)
    audit.record_access(ctx, AccessAction.PRINT, "goal", history.goal_id)
    audit.record_access(ctx, AccessAction.EXPORT, "case_list")
    beneficiaries.delete(ctx, case)
    exported = tmp_path / "log.csv"
    audit.export_csv(supervisor, exported)

    rows = raw_rows(profile.engine)
    about_case = [(r["record_type"], r["action"]) for r in rows if r["case_id"] == case.hex]
    assert sorted(about_case) == sorted(
        [
            ("beneficiary", "create"),
            ("beneficiary", "update"),
            ("action_plan", "create"),
            ("goal", "create"),
            ("follow_up_session", "create"),
            ("session_note", "create"),
            ("beneficiary", "update"),  # the other value of the conflict, chosen
            ("sync_conflict", "resolve_conflict"),
            ("beneficiary", "open_case"),
            ("beneficiary", "print"),
            ("goal", "print"),
            ("beneficiary", "delete"),
        ]
    )
    assert {r["staff_id"] for r in rows if r["case_id"] == case.hex} == {ctx.actor.staff_id.hex}
    assert [(r["record_type"], r["action"], r["staff_id"]) for r in rows[-3:]] == [
        ("case_list", "export", ctx.actor.staff_id.hex),
        ("beneficiary", "delete", ctx.actor.staff_id.hex),
        ("access_log", "export", supervisor.actor.staff_id.hex),
    ]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    everything = repr(rows) + exported.read_text(encoding="utf-8")
    for personal in PERSONAL:
        assert personal not in everything
    [check] = audit.verify(profile.engine)
    assert check.intact and check.check.entries == len(rows)


def test_sql_cannot_change_or_remove_an_entry(profile: Profile, ctx: ServiceContext) -> None:
    build_history(ctx, profile.engine)
    for statement in ("UPDATE access_log SET action = 'print'", "DELETE FROM access_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with profile.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    [check] = audit.verify(profile.engine)
    assert check.intact


def test_the_orm_refuses_to_change_or_remove_an_entry(
    profile: Profile, ctx: ServiceContext
) -> None:
    audit.open_case(ctx, beneficiaries.register(ctx, {"last_name": "A", "first_name": "B"}).id)
    with pytest.raises(AppendOnlyError):
        with profile.sessions.begin() as session:
            entry = session.scalars(select(AccessLogEntry)).first()
            assert entry is not None
            entry.action = AccessAction.PRINT
    with pytest.raises(AppendOnlyError):
        with profile.sessions.begin() as session:
            session.delete(session.scalars(select(AccessLogEntry)).first())


@pytest.mark.parametrize(
    ("statements", "broken"),
    [
        (
            ("UPDATE access_log SET action = 'print' WHERE seq = 6",),
            ChainBreak(6, BreakKind.ALTERED),
        ),
        (
            ("UPDATE access_log SET staff_id = NULL WHERE seq = 6",),
            ChainBreak(6, BreakKind.ALTERED),
        ),
        (
            ("UPDATE access_log SET recorded_at = '2026-01-01 00:00:00.000000' WHERE seq = 6",),
            ChainBreak(6, BreakKind.ALTERED),
        ),
        (
            ("UPDATE access_log SET record_id = 'garbage' WHERE seq = 6",),
            ChainBreak(6, BreakKind.ALTERED),
        ),
        (
            ("UPDATE access_log SET action = 'nonsense' WHERE seq = 6",),
            ChainBreak(6, BreakKind.ALTERED),
        ),
        (("DELETE FROM access_log WHERE seq = 6",), ChainBreak(6, BreakKind.MISSING)),
        (("DELETE FROM access_log WHERE seq = 1",), ChainBreak(1, BreakKind.MISSING)),
        (swap(5, 7), ChainBreak(5, BreakKind.BROKEN_LINK)),
    ],
    ids=["action", "who", "when", "mangled-id", "mangled-action", "removed", "first", "swapped"],
)
def test_tampering_with_one_entry_is_named_by_audit_verify(
    profile: Profile,
    profile_dir: Path,
    ctx: ServiceContext,
    capsys: pytest.CaptureFixture[str],
    statements: tuple[str, ...],
    broken: ChainBreak,
) -> None:
    build_history(ctx, profile.engine)
    assert passerelle("audit", "verify", "--profile", profile_dir) == 0
    assert "The access log is intact" in capsys.readouterr().out

    tamper(profile.engine, *statements)

    [check] = audit.verify(profile.engine)
    assert check.check.broken == broken
    assert passerelle("audit", "verify", "--profile", profile_dir) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("passerelle: The access log does not hold: entry ")
    assert f"entry {broken.seq} " in error and len(error.splitlines()) == 1


def test_entries_removed_from_the_end_after_a_sync_are_noticed(
    profile: Profile, ctx: ServiceContext
) -> None:
    build_history(ctx, profile.engine)
    last = len(raw_rows(profile.engine))
    with profile.engine.begin() as connection:
        state.put(connection, ACKED_KEY, str(last))  # as if the server held them all
    tamper(profile.engine, f"DELETE FROM access_log WHERE seq >= {last - 1}")
    [check] = audit.verify(profile.engine)
    assert check.check.broken == ChainBreak(last - 1, BreakKind.TRUNCATED)


def test_the_chain_and_its_triggers_survive_a_rekey(profile: Profile, ctx: ServiceContext) -> None:
    build_history(ctx, profile.engine)
    profile.rekey(PASSPHRASE)
    [check] = audit.verify(profile.engine)
    assert check.intact
    with pytest.raises(DBAPIError, match="append-only"):
        with profile.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM access_log")


def test_export_from_the_command_line_for_supervisors_only(
    tmp_path: Path, fast_kdf: KdfParams, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "supervisor"
    with Profile.create(folder, PASSPHRASE, fast_kdf) as profile:
        owner.setup_owner(profile.sessions, "Nadia Idrissi", StaffRole.SUPERVISOR, "Oukacha")
        ctx = owner.owner_context(profile.sessions)
        audit.open_case(ctx, build_history(ctx, profile.engine).beneficiary_id)
    out = tmp_path / "log.csv"
    today = ctx.today().isoformat()
    assert (
        passerelle(
            "audit", "export", "--profile", folder, "--out", out, "--from", today, "--to", today
        )
        == 0
    )
    assert "not encrypted" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert "open_case" in [row["action"] for row in rows]
    assert {row["staff_name"] for row in rows if row["action"] == "open_case"} == {"Nadia Idrissi"}
    text = out.read_text(encoding="utf-8")
    assert not any(personal in text for personal in PERSONAL)
    with Profile.open(folder, PASSPHRASE) as profile:
        last = raw_rows(profile.engine)[-1]
    assert (last["action"], last["record_type"]) == ("export", "access_log")


def test_counsellors_cannot_read_or_export_the_log(
    profile: Profile,
    profile_dir: Path,
    ctx: ServiceContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build_history(ctx, profile.engine)
    assert not audit.may_read(ctx.actor)
    with pytest.raises(NotAllowed):
        audit.lines(ctx)
    assert passerelle("audit", "export", "--profile", profile_dir, "--out", tmp_path / "x.csv") == 1
    assert "Only a supervisor or an administrator" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_printing_and_exporting_from_the_command_line_are_recorded(
    profile: Profile, profile_dir: Path, ctx: ServiceContext, tmp_path: Path
) -> None:
    history = build_history(ctx, profile.engine)
    pdf, cases = tmp_path / "plan.pdf", tmp_path / "cases.csv"
    printed = ("report", "plan", "--profile", profile_dir, "--beneficiary", history.beneficiary_id)
    assert passerelle(*map(str, printed), "--out", pdf) == 0
    exported = ("export", "--profile", profile_dir, "--what", "cases", "--format", "csv")
    assert passerelle(*exported, "--out", cases) == 0
    every = raw_rows(profile.engine)[-4:]  # each command's unlock is recorded first
    assert [(r["action"], r["record_type"]) for r in every[::2]] == [("unlock", "profile")] * 2
    rows = every[1::2]
    assert [(r["action"], r["record_type"], r["case_id"]) for r in rows] == [
        ("print", "beneficiary", history.beneficiary_id.hex),
        ("export", "case_list", None),
    ]
    assert {r["staff_id"] for r in every} == {ctx.actor.staff_id.hex}
