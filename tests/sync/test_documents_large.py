"""A case with 50 MB of documents: sent and received in chunks, interrupted, resumed.

A real server process (SQLite) is killed in the middle of the upload, then in the
middle of the colleague's download, and started again on the same database. Each time:
the records of every other case have already arrived (contents move after records),
the next sync sends or fetches only the chunks that were missing, and the content
arrives whole (SHA-256 checked). Memory is measured on both sides: the laptop's Python
allocations during the download (tracemalloc) and the server process's peak resident
size (``VmHWM``), neither anywhere near the document's 50 MB. Last, the server's
retention run erases the closed case's contents, and the colleague's laptop follows.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Beneficiary, DocumentChunk
from app.services import beneficiaries, documents, owner
from app.store.keys import KdfParams
from app.store.profile import Profile
from app.sync import engine
from app.sync.engine import SyncReport
from passerelle_core.enums import DocumentKind
from server.core.tables import DocumentChunk as ServerChunk
from server.core.tables import Record
from server.services import retention
from tests.conftest import PASSPHRASE
from tests.documents.files import make_pdf
from tests.server.harness import (
    FAST_HASHING_ENV,
    ROOT,
    UNLIMITED_RATE_ENV,
    Account,
    RunningServer,
    _wait_healthy,
    start_server,
)

MB = 1024 * 1024
OTHER_CASES = 20
SERVER_ENV = {"PASSERELLE_SERVER_MAX_DOCUMENT_MB": "64"}
pytestmark = pytest.mark.slow


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningServer]:
    server = start_server(tmp_path, env=SERVER_ENV)
    try:
        yield server
    finally:
        server.stop()


def restart(server: RunningServer) -> None:
    """The same server again: its data folder, database and port."""
    port = server.url.rsplit(":", 1)[1]
    args = ["serve", "--data-dir", str(server.data_dir), "--host", "127.0.0.1", "--port", port]
    with server.log_path.open("ab") as log:
        server.process = subprocess.Popen(
            [sys.executable, "-m", "server", *args],
            cwd=ROOT,
            env={**os.environ, **FAST_HASHING_ENV, **UNLIMITED_RATE_ENV, **SERVER_ENV},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    _wait_healthy(server)


def laptop(server: RunningServer, account: Account, folder: Path) -> Profile:
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    engine.enrol(profile, server.url, account.username, account.password, folder.name)
    engine.sync(profile)
    return profile


def sync_until_killed(
    profile: Profile, server: RunningServer, progressed: Callable[[], bool]
) -> SyncReport:
    """Sync in a thread and kill the server as soon as ``progressed()`` says so."""
    outcome: list[SyncReport] = []
    worker = threading.Thread(target=lambda: outcome.append(engine.sync(profile)))
    worker.start()
    deadline = time.monotonic() + 120
    while not progressed():
        assert time.monotonic() < deadline, "the transfer never started"
        time.sleep(0.02)  # polling another process's progress: nothing to wait on
    server.process.kill()
    server.process.wait()
    worker.join(timeout=120)
    assert outcome, "the sync did not come back after the server died"
    return outcome[0]


def server_chunks(server: RunningServer, document_id: uuid.UUID) -> int:
    with server.database.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ServerChunk)
                .where(ServerChunk.document_id == document_id)
            )
            or 0
        )


def local_chunks(profile: Profile, document_id: uuid.UUID) -> int:
    with profile.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count())
                .select_from(DocumentChunk)
                .where(DocumentChunk.document_id == document_id)
            ).scalar_one()
        )


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_fifty_megabytes_interrupted_and_resumed_after_the_records(
    running: RunningServer, tmp_path: Path
) -> None:
    counsellor = running.add_user("social_worker")
    colleague = running.add_user("social_worker", team=counsellor.team)
    mine = laptop(running, counsellor, tmp_path / "mine")
    theirs = laptop(running, colleague, tmp_path / "theirs")
    ctx = owner.owner_context(mine.sessions)
    case_id = beneficiaries.register(ctx, {"last_name": "Zniber", "first_name": "Omar"}).id
    others = [
        beneficiaries.register(ctx, {"last_name": f"Autre{i}", "first_name": "Cas"}).id
        for i in range(OTHER_CASES)
    ]
    original = make_pdf(tmp_path / "dossier.pdf", 50 * MB, "DOSSIER-PENAL-50")
    digest = hashlib.sha256(original).hexdigest()
    del original
    document = documents.attach(ctx, case_id, tmp_path / "dossier.pdf", DocumentKind.JUDICIAL)
    total = document.chunk_count
    assert total == 50

    # 1. The upload dies with the server: the records of every case are already there.
    sent = sync_until_killed(mine, running, lambda: server_chunks(running, document.id) >= 8)
    assert sent.documents_interrupted and not sent.complete
    with running.database.session() as session:
        on_server = set(
            session.scalars(select(Record.record_id).where(Record.record_type == "beneficiary"))
        )
    assert {case_id, *others} <= on_server
    held = server_chunks(running, document.id)
    assert 8 <= held < total
    running.database.dispose()

    # 2. Resumed: only the missing chunks travel.
    restart(running)
    log_before = running.log().count("PUT /api/v1/documents/")
    resumed = engine.sync(mine)
    assert resumed.complete and resumed.documents_sent == 1
    assert running.log().count("PUT /api/v1/documents/") - log_before == total - held

    # 3. The colleague's download dies with the server: every other case is already in.
    received = sync_until_killed(theirs, running, lambda: local_chunks(theirs, document.id) >= 8)
    assert received.documents_interrupted
    with theirs.sessions() as session:
        present = set(session.scalars(select(Beneficiary.id)))
    assert {case_id, *others} <= present
    assert not documents.list_for(owner.owner_context(theirs.sessions), case_id)[0].held
    fetched = local_chunks(theirs, document.id)
    assert 8 <= fetched < total
    running.database.dispose()

    # 4. Resumed: the rest arrives, never the whole document in memory on either side.
    restart(running)
    server_before = peak_rss_kib(running.process.pid)
    tracemalloc.start()
    try:
        done = engine.sync(theirs)
        _size, laptop_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    server_peak = peak_rss_kib(running.process.pid)
    assert done.complete and done.documents_received == 1
    assert running.log().count("GET /api/v1/documents/") >= total - fetched
    their_ctx = owner.owner_context(theirs.sessions)
    assert documents.list_for(their_ctx, case_id)[0].held
    content = documents.read(their_ctx, document.id)
    assert hashlib.sha256(content).hexdigest() == digest
    print(  # noqa: T201 - the figures this test measures, for the record (pytest -s)
        f"laptop download peak {laptop_peak / MB:.1f} MiB (tracemalloc); "
        f"server peak RSS {server_before / 1024:.0f} -> {server_peak / 1024:.0f} MiB"
    )
    assert laptop_peak < 12 * MB
    assert (server_peak - server_before) * 1024 < 25 * MB

    # 5. Retention on the server erases the contents with the case (a scan is identity).
    beneficiaries.close_case(ctx, case_id, closed_on=date.today() - timedelta(days=400))
    assert engine.sync(mine).complete
    with running.database.session() as session:
        retention.set_rule(session, "closed", 365, "anonymise")
    with running.database.session() as session:
        assert [due.case_id for due in retention.run(session, date.today())] == [case_id]
    assert server_chunks(running, document.id) == 0
    with running.database.session() as session:
        described = session.get(Record, ("case_document", document.id))
        assert described is not None and described.deleted
    engine.sync(theirs)
    assert documents.list_for(their_ctx, case_id) == []
    assert local_chunks(theirs, document.id) == 0
    mine.close()
    theirs.close()
