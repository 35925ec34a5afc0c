"""Benchmark of sync against a real server on loopback (a script: it prints figures).

    .venv/bin/python bench/sync.py [--beneficiaries 10000] [--backend sqlite|postgresql]
        [--database-url URL] [--laptops 20] [--rounds 5] [--workers 1] [--out DIR]
    .venv/bin/python bench/sync.py --scaling [--sizes 1000,10000,50000] [--backend ...]

Per backend (SQLite in the server's data folder; PostgreSQL in a fresh database on the
server of ``--database-url`` or ``PASSERELLE_TEST_DATABASE_URL``, dropped afterwards):

1. seeding: a laptop enrolled as an admin is filled with ``app.demo.fill_profile``,
   every row is queued (``queue_all``: bulk rows bypass capture) and pushed;
2. initial sync of the whole caseload to an EMPTY laptop (target < 10 s), in records/s,
   beside the ceiling: a plain bulk copy of the same rows (Core executemany, one
   transaction) into another empty profile, timed in the same run;
3. incremental sync: 100 records changed on one laptop, pushed, then pulled by the other
   (target < 1 s each);
4. 20 laptops (one process each, counsellors of 20 demo teams) syncing at once, a few
   edits each per round: latency of each sync, p50 / p95 / max (target p95 < 2 s).

With ``--scaling``, per size of caseload (a fresh server each): the seeding push, the
initial sync and an incremental sync (1% of the beneficiaries changed, pushed and
pulled), in time per record, and the ratio of the largest size to the smallest (cost
that grows linearly keeps it near 1); the server's resident memory (its processes
together) is sampled during the initial sync of each size.

Laptops are real encrypted profiles (cheap KDF: unlocking is not what is measured).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, make_url, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.demo import fill_profile  # noqa: E402
from app.models import SYNCED_MODELS, Beneficiary, Team  # noqa: E402
from app.services import beneficiaries, owner  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.sync import engine, outbox  # noqa: E402
from app.sync.state import model_table  # noqa: E402

PASSPHRASE = "bench passphrase"
PASSWORD = "bench-password-123"
EDITS_PER_ROUND = 5


@dataclass
class Server:
    url: str
    data_dir: Path
    database_url: str | None
    process: subprocess.Popen[bytes]

    def storage(self) -> list[str]:
        extra = ["--database-url", self.database_url] if self.database_url else []
        return ["--data-dir", str(self.data_dir), *extra]

    def add_user(self, username: str, role: str, team: str) -> None:
        """Through the real admin command, as an operator would."""
        subprocess.run(
            [sys.executable, "-m", "server", "user", "add", username, "--role", role,
             "--team", team, *self.storage()],
            cwd=ROOT, env={**os.environ, "PASSERELLE_PASSWORD": PASSWORD},
            check=True, capture_output=True,
        )  # fmt: skip


@contextmanager
def running_server(folder: Path, database_url: str | None, workers: int) -> Iterator[Server]:
    port = _free_port()
    data_dir = folder / "server"
    args = ["serve", "--data-dir", str(data_dir), "--port", str(port), "--workers", str(workers)]
    if database_url:
        args += ["--database-url", database_url]
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", *args], cwd=ROOT, stdout=log, stderr=log
        )
    server = Server(f"http://127.0.0.1:{port}", data_dir, database_url, process)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("the server did not start (see server.log)")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer /health")


@contextmanager
def fresh_postgres(url: str) -> Iterator[str]:
    base = make_url(url)
    name = f"passerelle_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def laptop(folder: Path, server: Server, username: str) -> Profile:
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    engine.enrol(profile, server.url, username, PASSWORD, folder.name)
    return profile


class MemoryWatch:
    """Peak resident memory of a process and its children, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.before = tree_rss(pid)
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, tree_rss(self.pid))


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants (Linux /proc; 0 elsewhere)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def timed(label: str, function: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s", flush=True)
    return result, elapsed


def bulk_copy(source: Profile, folder: Path) -> tuple[int, float]:
    """The ceiling: the same rows, read beforehand, written in one Core transaction."""
    tables: list[tuple[Any, list[dict[str, Any]]]] = []
    with source.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            rows = [dict(row) for row in connection.execute(select(table)).mappings()]
            tables.append((table, rows))
    with Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests()) as target:
        started = time.perf_counter()
        with target.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for table, rows in tables:
                if rows:
                    connection.execute(insert(table), rows)
        elapsed = time.perf_counter() - started
    return sum(len(rows) for _table, rows in tables), elapsed


def incremental(seed: Profile, reader: Profile, changes: int) -> float:
    ctx = owner.owner_context(seed.sessions)
    with seed.sessions() as session:
        ids = list(session.scalars(select(Beneficiary.id).order_by(Beneficiary.id).limit(changes)))
    marker = uuid.uuid4().hex[:6]
    with ctx.transaction() as session:
        for number, record_id in enumerate(ids):
            person = session.get(Beneficiary, record_id)
            assert person is not None
            person.phone = f"06{number:04d}{marker}"
    report, pushed = timed(f"push of {changes} changed records", engine.sync, seed)
    assert report.applied + report.merged == changes, report
    report, pulled = timed(f"pull of {changes} changed records", engine.sync, reader)
    assert report.received >= changes, report
    return pushed + pulled


def concurrent(server: Server, folder: Path, teams: list[str], laptops: int, rounds: int) -> None:
    context = multiprocessing.get_context("spawn")
    names = [f"bench-counsellor-{n:02d}" for n in range(laptops)]
    for number, name in enumerate(names):
        server.add_user(name, "social_worker", teams[number % len(teams)])
    barrier = context.Barrier(laptops)
    results = context.Queue()
    workers = [
        context.Process(
            target=_laptop_worker,
            args=(folder / name, server.url, name, rounds, barrier, results),
        )
        for name in names
    ]
    for worker in workers:
        worker.start()
    initial: list[float] = []
    latencies: list[float] = []
    for _worker in workers:
        first, others = results.get(timeout=3600)
        initial.append(first)
        latencies.extend(others)
    for worker in workers:
        worker.join()
    print(f"  {laptops} initial syncs at once: max {max(initial):.2f} s", flush=True)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"  {laptops} laptops x {rounds} rounds ({EDITS_PER_ROUND} edits each): "
        f"p50 {statistics.median(latencies):.3f} s, p95 {p95:.3f} s, max {latencies[-1]:.3f} s",
        flush=True,
    )


def _laptop_worker(
    folder: Path, url: str, username: str, rounds: int, barrier: Any, results: Any
) -> None:
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    engine.enrol(profile, url, username, PASSWORD, folder.name)
    barrier.wait()
    started = time.perf_counter()
    engine.sync(profile)
    first = time.perf_counter() - started
    ctx = owner.owner_context(profile.sessions)
    with profile.sessions() as session:
        ids = list(session.scalars(select(Beneficiary.id).order_by(Beneficiary.id).limit(50)))
    latencies = []
    for number in range(rounds):
        for record_id in ids[number * EDITS_PER_ROUND : (number + 1) * EDITS_PER_ROUND]:
            beneficiaries.update(ctx, record_id, {"phone": f"07{number:02d}{uuid.uuid4().hex[:6]}"})
        barrier.wait()
        started = time.perf_counter()
        engine.sync(profile)
        latencies.append(time.perf_counter() - started)
    profile.close()
    results.put((first, latencies))


def run(backend: str, args: argparse.Namespace, folder: Path) -> None:
    print(f"\n== {backend} ==", flush=True)
    with (
        database_for(backend, args) as database_url,
        running_server(folder, database_url, args.workers) as server,
    ):
        server.add_user("bench-admin", "admin", "Central")
        seed = laptop(folder / "seed", server, "bench-admin")
        engine.sync(seed)
        summary, _seconds = timed("demo generation", fill_profile, seed, args.beneficiaries)
        queued, _seconds = timed("queue_all", outbox.queue_all, seed)
        report, seconds = timed(f"seeding push of {queued} records", engine.sync, seed)
        print(f"    {report.sent / seconds:,.0f} changes/s pushed", flush=True)

        empty = laptop(folder / "empty", server, "bench-admin")
        with MemoryWatch(server.process.pid) as memory:
            report, seconds = timed("initial sync to an empty laptop", engine.sync, empty)
        print(
            f"    {report.received:,} records in {report.pages} pages: "
            f"{report.received / seconds:,.0f} records/s (target < 10 s); server memory "
            f"{memory.before / 2**20:,.0f} -> {memory.peak / 2**20:,.0f} MiB",
            flush=True,
        )
        rows, copy_seconds = bulk_copy(empty, folder / "copy")
        print(
            f"  ceiling, plain bulk copy of the same {rows:,} rows: {copy_seconds:.2f} s, "
            f"{rows / copy_seconds:,.0f} rows/s",
            flush=True,
        )
        incremental(seed, empty, 100)
        with seed.sessions() as session:
            teams = [t.name for t in session.scalars(select(Team).order_by(Team.name))]
        concurrent(server, folder, [t for t in teams if t != "Central"], args.laptops, args.rounds)
        seed.close()
        empty.close()
        print(f"  ({summary})", flush=True)


@dataclass
class Size:
    beneficiaries: int
    records: int = 0
    push_seconds: float = 0.0
    initial_seconds: float = 0.0
    initial_records: int = 0
    changes: int = 0
    incremental_seconds: float = 0.0
    server_rss_before: int = 0
    server_rss_peak: int = 0

    def per_record(self) -> tuple[float, float, float]:
        """Microseconds per record: push, initial sync, incremental (push + pull)."""
        return (
            self.push_seconds / self.records * 1e6,
            self.initial_seconds / self.initial_records * 1e6,
            self.incremental_seconds / self.changes * 1e6,
        )


def scaling(backend: str, args: argparse.Namespace, root: Path) -> None:
    print(f"\n== {backend}: scaling ==", flush=True)
    sizes: list[Size] = []
    for caseload in args.sizes:
        folder = root / f"size-{caseload}"
        folder.mkdir()
        size = Size(caseload)
        with (
            database_for(backend, args) as database_url,
            running_server(folder, database_url, args.workers) as server,
        ):
            server.add_user("bench-admin", "admin", "Central")
            seed = laptop(folder / "seed", server, "bench-admin")
            engine.sync(seed)
            fill_profile(seed, caseload)
            size.records = outbox.queue_all(seed)
            report, size.push_seconds = timed(f"{caseload:,}: push", engine.sync, seed)
            empty = laptop(folder / "empty", server, "bench-admin")
            with MemoryWatch(server.process.pid) as memory:
                report, size.initial_seconds = timed(
                    f"{caseload:,}: initial sync", engine.sync, empty
                )
            size.initial_records = report.received
            size.server_rss_before, size.server_rss_peak = memory.before, memory.peak
            size.changes = max(100, caseload // 100)
            size.incremental_seconds = incremental(seed, empty, size.changes)
            seed.close()
            empty.close()
        sizes.append(size)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n  {backend}: microseconds per record (push / initial sync / incremental)")
    for size in sizes:
        push, initial, changed = size.per_record()
        print(
            f"  {size.beneficiaries:>7,} beneficiaries, {size.records:>9,} records: "
            f"push {push:7.1f} us ({size.records / size.push_seconds:,.0f}/s), "
            f"initial {initial:6.1f} us ({size.initial_records / size.initial_seconds:,.0f}/s), "
            f"incremental {changed:7.1f} us ({size.changes} changes); server memory "
            f"{size.server_rss_before / 2**20:,.0f} -> {size.server_rss_peak / 2**20:,.0f} MiB "
            "during the initial sync",
            flush=True,
        )
    first, last = sizes[0].per_record(), sizes[-1].per_record()
    ratios = " / ".join(f"{b / a:.2f}" for a, b in zip(first, last, strict=True))
    print(
        f"  ratio per record {sizes[-1].beneficiaries:,} vs {sizes[0].beneficiaries:,} "
        f"(push / initial / incremental): {ratios} (target <= 1.3)",
        flush=True,
    )


@contextmanager
def database_for(backend: str, args: argparse.Namespace) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    url = args.database_url or os.environ.get("PASSERELLE_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("PostgreSQL: give --database-url or PASSERELLE_TEST_DATABASE_URL")
    with fresh_postgres(url) as fresh:
        yield fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--beneficiaries", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--out", type=Path, default=None, help="keep the files here")
    parser.add_argument("--scaling", action="store_true", help="cost per record by size")
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1_000, 10_000, 50_000],
        help="caseload sizes for --scaling, comma-separated",
    )
    args = parser.parse_args(argv)
    print(
        f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}",
        flush=True,
    )
    for backend in args.backend or ["sqlite", "postgresql"]:
        folder = Path(tempfile.mkdtemp(prefix=f"bench-sync-{backend}-", dir=args.out))
        try:
            (scaling if args.scaling else run)(backend, args, folder)
        finally:
            if args.out is None:
                shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
