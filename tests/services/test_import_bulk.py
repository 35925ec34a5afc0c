"""The bulk import writes exactly what the per-row import wrote.

One seeded spreadsheet (:mod:`app.services.import_sample`: Latin and Arabic names,
invalid lines, people entered twice, people already in the profile updated by their CIN
or entered again) is imported into two copies of one profile: by the per-row ORM path
(``per_row=True``, the flush pipeline per object) and by the bulk path. Both must leave
the same beneficiaries, outbox, access log, search results, duplicate flags and report;
only fresh ids and timestamps differ, so records are compared by what they hold.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.models import Beneficiary, Facility
from app.services import import_mapping, import_sample, import_worker, owner, search
from app.services.audit_capture import ACCESS_LOG
from app.services.context import ServiceContext
from app.services.importer import (
    BATCH_ROWS,
    DuplicateAction,
    ImportReport,
    import_table,
    read_table,
)
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import audit_chain
from app.sync.state import OUTBOX
from passerelle_core.enums import StaffRole
from tests.conftest import PASSPHRASE

ROWS, KNOWN, SEED = 300, 60, 1
INDEXED = (
    "SELECT m.beneficiary_id, s.names, s.identifiers FROM beneficiary_search AS s "
    "JOIN beneficiary_search_map AS m ON m.docid = s.rowid"
)
TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
STAMPS = frozenset({"created_at", "updated_at", "recorded_at"})


@dataclass
class Outcome:
    report: ImportReport
    beneficiaries: list[tuple[Any, ...]]
    outbox: Counter[tuple[Any, ...]]
    log: Counter[tuple[Any, ...]]
    searches: dict[str, list[str]]
    indexed: Counter[tuple[Any, ...]]
    chain_ok: bool


@pytest.fixture(scope="module")
def sheet() -> import_sample.SampleSheet:
    return import_sample.sample(ROWS, seed=SEED, known=KNOWN)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, sheet: import_sample.SampleSheet) -> Path:
    """A profile holding the ``known`` people, copied for each import."""
    folder = tmp_path_factory.mktemp("base") / "profile"
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    try:
        owner.setup_owner(
            profile.sessions, "Amina Tazi", StaffRole.SOCIAL_WORKER, "Prison locale Oukacha"
        )
        ctx = owner.owner_context(profile.sessions)
        known = import_sample.write_csv(folder.parent / "known.csv", sheet.known)
        table = read_table(known)
        report = import_table(ctx, table, import_mapping.propose(table), skip_invalid=True)
        assert report.created == KNOWN
    finally:
        profile.close()
    return folder


def run(
    base: Path,
    where: Path,
    path: Path,
    action: DuplicateAction,
    per_row: bool,
    batch_rows: int = BATCH_ROWS,
) -> Outcome:
    folder = where / ("per-row" if per_row else "bulk")
    shutil.copytree(base, folder)
    profile = Profile.open(folder, PASSPHRASE)
    try:
        ctx = owner.owner_context(profile.sessions)
        table = read_table(path)
        report = import_table(
            ctx, table, import_mapping.propose(table),
            skip_invalid=True, duplicates=action, per_row=per_row, batch_rows=batch_rows,
        )  # fmt: skip
        return observe(profile, ctx, report)
    finally:
        profile.close()


def observe(profile: Profile, ctx: ServiceContext, report: ImportReport) -> Outcome:
    with profile.engine.connect() as connection:
        people = [dict(row._mapping) for row in connection.execute(select(Beneficiary.__table__))]
        places = [dict(row._mapping) for row in connection.execute(select(Facility.__table__))]
        outbox = [dict(row._mapping) for row in connection.execute(select(OUTBOX))]
        log = [dict(row._mapping) for row in connection.execute(select(ACCESS_LOG))]
        indexed = connection.exec_driver_sql(INDEXED).all()
        triggers = connection.exec_driver_sql(TRIGGERS).scalars().all()
    assert "beneficiary_search_insert" in triggers, "the insert trigger is back"
    labels: dict[str, str] = {}
    for person in people:
        key = (person["last_name"], person["first_name"], person["cin"],
               person["registration_number"], person["birth_date"], person["phone"])  # fmt: skip
        labels[person["id"].hex] = labels[str(person["id"])] = f"person {key}"
    for place in places:
        labels[place["id"].hex] = labels[str(place["id"])] = f"facility {place['name']}"
        labels[place["code"]] = f"code of {place['name']}"
    assert len(set(labels.values())) == len(people) + 2 * len(places), "labels are unique"

    def norm(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            value = str(value)
        if isinstance(value, dict):
            return tuple(sorted((k, norm(v)) for k, v in value.items() if k not in STAMPS))
        if isinstance(value, str):
            return labels.get(value, value)
        return value

    names = sorted({str(p["last_name"]) for p in people})[:5] + [
        str(p["last_name_ar"]) for p in people[-3:] if p["last_name_ar"]
    ]
    hits = {
        query: sorted(norm(hit.beneficiary_id) for hit in search.search(ctx, query, limit=500))
        for query in names
    }
    return Outcome(
        report,
        sorted((norm(p) for p in people), key=repr),
        Counter(
            norm({k: v for k, v in row.items() if k not in {"seq", "change_id"}}) for row in outbox
        ),
        Counter(
            (
                row["staff_id"],
                row["action"],
                row["record_type"],
                norm(row["record_id"]),
                norm(row["case_id"]),
            )
            for row in log
        ),  # fmt: skip
        hits,
        Counter((norm(uuid.UUID(str(id_))), names, ids) for id_, names, ids in indexed),
        all(check.intact for check in audit_chain.verify(profile.engine)),
    )


def described(report: ImportReport) -> dict[str, Any]:
    return {
        "counts": (
            report.created,
            report.updated,
            report.linked,
            report.skipped,
            report.rejected,
            report.applied,
        ),  # fmt: skip
        "errors": [str(error) for error in report.errors],
        "warnings": report.warnings,
        "rejected lines": [row.line for row in report.rejected_rows],
        "duplicates": [
            (d.line, str(d), d.score, d.other_line, d.existing_id, d.updates_by_cin)
            for d in report.duplicates
        ],
        "facilities": report.new_facilities,
    }


@pytest.mark.parametrize(
    ("fmt", "action", "batch_rows"),
    [
        ("csv", DuplicateAction.FLAG, 64),  # flagged only: checked and written by batches
        ("xlsx", DuplicateAction.FLAG, BATCH_ROWS),
        ("xlsx", DuplicateAction.LINK, BATCH_ROWS),
        ("csv", DuplicateAction.SKIP, BATCH_ROWS),
    ],
)
def test_the_bulk_import_stores_what_the_per_row_import_stored(
    base: Path,
    sheet: import_sample.SampleSheet,
    tmp_path: Path,
    fmt: str,
    action: DuplicateAction,
    batch_rows: int,
) -> None:
    writer = import_sample.write_xlsx if fmt == "xlsx" else import_sample.write_csv
    path = writer(tmp_path / f"caseload.{fmt}", sheet.rows)
    before = run(base, tmp_path, path, action, per_row=True)
    after = run(base, tmp_path, path, action, per_row=False, batch_rows=batch_rows)

    report = before.report
    assert report.rejected > 0 and report.updated > 0 and report.new_facilities
    assert any(d.other_line for d in report.duplicates), "likely duplicates within the file"
    assert any(d.existing_id for d in report.duplicates), "and of people already known"
    assert described(after.report) == described(before.report)
    assert after.beneficiaries == before.beneficiaries
    assert after.outbox == before.outbox
    assert after.log == before.log
    assert after.searches == before.searches
    assert after.indexed == before.indexed
    assert all(after.searches.values())
    assert before.chain_ok and after.chain_ok


def test_an_invalid_row_after_written_batches_leaves_the_profile_as_it_was(
    base: Path, sheet: import_sample.SampleSheet, tmp_path: Path
) -> None:
    """Without --skip-invalid, batches already written when a bad row comes are undone."""
    path = import_sample.write_csv(tmp_path / "caseload.csv", sheet.rows)
    table = read_table(path)
    mapping = import_mapping.propose(table)
    batch_rows = 8
    reports: list[ImportReport] = []
    for per_row in (True, False):
        folder = tmp_path / ("per-row" if per_row else "bulk")
        shutil.copytree(base, folder)
        profile = Profile.open(folder, PASSPHRASE)
        try:
            ctx = owner.owner_context(profile.sessions)
            before = observe(profile, ctx, ImportReport())
            report = import_table(ctx, table, mapping, per_row=per_row, batch_rows=batch_rows)
            after = observe(profile, ctx, report)
        finally:
            profile.close()
        assert not report.applied and report.rejected > 0
        assert after.beneficiaries == before.beneficiaries
        assert after.outbox == before.outbox
        assert after.log == before.log
        assert after.indexed == before.indexed
        assert after.chain_ok
        reports.append(report)
    first_bad = reports[1].rejected_rows[0].line
    assert first_bad > table.header_line + 2 * batch_rows, "batches were written before it"
    assert described(reports[1]) == described(reports[0])


@pytest.fixture
def apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every table, however small, parsed and checked by the child process."""
    monkeypatch.setattr(import_worker, "MIN_ROWS", 0)
    monkeypatch.setattr(import_worker, "spare_core", lambda: True)  # busy machine or not


def import_apart(base: Path, folder: Path, path: Path) -> Outcome:
    shutil.copytree(base, folder)
    profile = Profile.open(folder, PASSPHRASE)
    try:
        ctx = owner.owner_context(profile.sessions)
        table = read_table(path)
        mapping = import_mapping.propose(table)
        report = import_table(ctx, table, mapping, skip_invalid=True, batch_rows=64)
        return observe(profile, ctx, report)
    finally:
        profile.close()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_rows_parsed_in_a_child_process_are_imported_the_same(
    base: Path, sheet: import_sample.SampleSheet, tmp_path: Path, fmt: str, apart: None
) -> None:
    writer = import_sample.write_xlsx if fmt == "xlsx" else import_sample.write_csv
    path = writer(tmp_path / f"caseload.{fmt}", sheet.rows)
    before = run(base, tmp_path, path, DuplicateAction.FLAG, per_row=True)
    after = import_apart(base, tmp_path / "apart", path)
    assert after.report.phases["reader_process:cpu"] > 0, "the child parsed the rows"
    assert described(after.report) == described(before.report)
    assert after.beneficiaries == before.beneficiaries
    assert after.outbox == before.outbox
    assert after.log == before.log
    assert after.indexed == before.indexed
    assert after.searches == before.searches
    assert after.chain_ok


def test_a_child_that_stops_midway_leaves_the_rest_to_the_main_process(
    base: Path,
    sheet: import_sample.SampleSheet,
    tmp_path: Path,
    apart: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows after the child's last batch are parsed here: same rows, same errors."""
    received = import_worker.RowReader.batches

    def one_batch_then_gone(reader: import_worker.RowReader, labels: Any) -> Iterator[Any]:
        for batch in received(reader, labels):
            yield batch
            yield None  # as when the child dies
            return

    monkeypatch.setattr(import_worker.RowReader, "batches", one_batch_then_gone)
    path = import_sample.write_csv(tmp_path / "caseload.csv", sheet.rows)
    before = run(base, tmp_path, path, DuplicateAction.FLAG, per_row=True)
    after = import_apart(base, tmp_path / "apart", path)
    assert described(after.report) == described(before.report)
    assert after.beneficiaries == before.beneficiaries
    assert after.outbox == before.outbox
    assert after.indexed == before.indexed


def test_a_child_that_cannot_start_leaves_the_work_to_the_main_process(
    base: Path,
    sheet: import_sample.SampleSheet,
    tmp_path: Path,
    apart: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    path = import_sample.write_csv(tmp_path / "caseload.csv", sheet.rows)
    before = run(base, tmp_path, path, DuplicateAction.FLAG, per_row=True)
    after = import_apart(base, tmp_path / "apart", path)
    assert "reader_process:cpu" not in after.report.phases
    assert described(after.report) == described(before.report)
    assert after.beneficiaries == before.beneficiaries


def test_the_child_process_is_used_only_with_a_core_to_spare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not import_worker.spare_core()
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    assert not import_worker.spare_core(), "every core busy already"
    monkeypatch.setattr(os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert import_worker.spare_core()
