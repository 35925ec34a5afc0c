"""Every row of a large import reaches the server, as the laptop holds it.

A seeded spreadsheet (new facilities, invalid lines skipped, likely duplicates flagged)
is imported the way a large file is (parsed and checked by the child process, written
by batches: :mod:`app.services.import_worker`), then synced to a real server: what a
fresh device pulls from the server is exactly what the laptop holds, record for record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from app.services import import_mapping, import_sample, import_worker
from app.services.importer import import_table, read_table
from tests.server.harness import RunningServer
from tests.sync.conftest import Laptop, database_url, server, server_state  # noqa: F401


def test_every_imported_row_reaches_the_server(
    server: RunningServer,  # noqa: F811
    laptop: Callable[..., Laptop],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_worker, "MIN_ROWS", 0)  # a small file, the large files' way
    monkeypatch.setattr(import_worker, "spare_core", lambda: True)  # busy machine or not
    account = server.add_user("social_worker", f"Team {uuid.uuid4().hex[:6]}")
    mine = laptop(account)
    sheet = import_sample.sample(200, seed=3)
    table = read_table(import_sample.write_csv(tmp_path / "caseload.csv", sheet.rows))
    report = import_table(
        mine.ctx, table, import_mapping.propose(table), skip_invalid=True, batch_rows=64
    )
    assert report.applied and report.rejected and report.new_facilities
    assert report.phases["reader_process:cpu"] > 0, "parsed by the child process"

    assert mine.sync().complete
    local = mine.state()
    people = [key for key in local if key[0] == "beneficiary"]
    assert len(people) == report.created > 150
    assert server_state(server, account) == local
