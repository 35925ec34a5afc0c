"""Benchmark of sync against a real server on loopback (a script: it prints figures).

    .venv/bin/python bench/sync.py [--beneficiaries 10000] [--backend sqlite|postgresql]
        [--database-url URL] [--laptops 20] [--rounds 5] [--workers 1] [--out DIR]
    .venv/bin/python bench/sync.py --scaling [--sizes 1000,10000,50000] [--backend ...]
        [--changes 1000] [--repeat 3] [--profile DIR] [--out DIR]

Per backend (SQLite in the server's data folder; PostgreSQL in a fresh database on the
server of ``--database-url`` or ``PASSERELLE_TEST_DATABASE_URL``, dropped afterwards):

1. seeding: a laptop enrolled as an admin is filled with ``app.demo.fill_profile``,
   every row is queued (``queue_all``: bulk rows bypass capture) and pushed: the push
   alone is timed (issue 23 item 1), then the rest of its first sync (pull-back);
2. initial sync of the whole caseload to an EMPTY laptop (target < 10 s), in records/s,
   beside the ceiling: a plain bulk copy of the same rows (Core executemany, one
   transaction) into another empty profile, timed in the same run;
3. incremental sync: 100 records changed on one laptop, pushed, then pulled by the other
   (target < 1 s each);
4. ``--laptops`` (20) laptops, one process each, counsellors of the demo teams, syncing
   at once, 5 edits each per round (cases of their team, none edited by two laptops):
   the latency of every single sync, p50 / p95 / max (issue 23: p95 < 1 s with 50
   laptops against PostgreSQL and ``--workers 2``), the CPU per sync of the laptops,
   of the server and of PostgreSQL's backends for the bench database. Processes
   start, open their profile, enrol and make their first sync before the timed rounds.

With ``--scaling`` (sizes 1,000 / 10,000 / 50,000 beneficiaries unless ``--sizes``), per
size a fresh server: the seeding push of the whole caseload (the outbox pushed alone),
then the rest of the seed laptop's sync (its records pulled back: those the server stored
as sent are not written again), the initial sync of an empty laptop, then ``--changes``
(1,000) beneficiaries edited on it, pushed, and pulled by the seed laptop: the same
number of changes into a store of each size. All in time and CPU per record, with the
ratio of the largest size to the smallest (cost that grows linearly keeps it near 1,
target <= 1.3), and the server's resident memory (its processes together) sampled
during each initial sync and pull-back, the largest caseload's included. The CPU is
also printed split by process (laptop / server / PostgreSQL's backends for the bench
database) with its ratios. The incremental steps run ``--repeat`` (3) times, each on
the next beneficiaries by id, the median kept and every repeat printed (at 1,000 a step
is a tenth of a second on a 10 ms clock); ``--profile DIR`` adds one uncounted repeat
under cProfile (laptop side). With ``--out``, each size's server and laptops are kept.
The 50,000 size is about 1.1 million records: about 40 minutes per backend on a loaded
2-core machine, most of it the demo generation, ``queue_all`` and the seeding push.

Every timed step prints its wall time beside the CPU seconds of the laptop (this process
and the decoding process a long pull starts, shown apart) and of the server's processes
(PostgreSQL's own processes not counted) and the load average: on a shared machine, wall
times alone say little.

Laptops are real encrypted profiles (cheap KDF: unlocking is not what is measured).
"""

from __future__ import annotations

import argparse
import cProfile
import math
import multiprocessing
import os
import platform
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from app.sync import engine, outbox, state  # noqa: E402
from app.sync.client import SyncClient  # noqa: E402
from app.sync.push import PushOutcome, push_outbox  # noqa: E402
from app.sync.state import model_table  # noqa: E402

PASSPHRASE = "bench passphrase"
PASSWORD = "bench-password-123"
EDITS_PER_ROUND = 5
SERVER_PID = 0  # set while a server runs: its CPU is printed beside wall times
LAST_CPU = (0.0, 0.0)  # the last timed step's CPU seconds: this process, the server


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
    global SERVER_PID
    try:
        _wait_healthy(server)
        SERVER_PID = process.pid
        yield server
    finally:
        SERVER_PID = 0
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


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def database_cpu(database_url: str | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database_url`` (none for
    SQLite), by process id (PostgreSQL runs on the same machine as the benchmark).
    """
    if not database_url:
        return {}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return {int(pid): _process_cpu(int(pid)) for pid in pids}
    finally:
        engine.dispose()


class DatabaseWatch:
    """CPU of the PostgreSQL backends serving ``database_url`` while the block runs.

    Sampled in a thread: the server opens and closes connections beyond its pool under
    load, and a backend is counted from the first sample that sees it (whole if it was
    not there at the start) to the last one.
    """

    def __init__(self, database_url: str | None, interval: float = 0.2) -> None:
        self.database_url = database_url
        self.interval = interval
        self.start = database_cpu(database_url)
        self.last = dict(self.start)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> DatabaseWatch:
        if self.database_url:
            self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.last.update(database_cpu(self.database_url))

    @property
    def used(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.last.items())

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.last.update(database_cpu(self.database_url))


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    """The load average (1 and 5 minutes): the machine may be shared, say how busy."""
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def timed(label: str, function: Any, *args: Any) -> tuple[Any, float]:
    """Wall time of ``function``, printed with this process's and the server's CPU."""
    result, elapsed, _cpu = timed_cpu(label, function, *args)
    return result, elapsed


def timed_cpu(label: str, function: Any, *args: Any) -> tuple[Any, float, float]:
    """The result, the wall time and the CPU seconds of the laptop (this process and the
    decoding process its pull may start) and of the server."""
    started, cpu, decoding = time.perf_counter(), time.process_time(), children_cpu()
    server_cpu = tree_cpu(SERVER_PID) if SERVER_PID else 0.0
    result = function(*args)
    elapsed = time.perf_counter() - started
    decoding = children_cpu() - decoding  # a pull's decoding process: the laptop's too
    used = time.process_time() - cpu + decoding
    served = tree_cpu(SERVER_PID) - server_cpu if SERVER_PID else 0.0
    global LAST_CPU
    LAST_CPU = (used, served)
    print(
        f"  {label}: {elapsed:.2f} s wall, CPU {used:.2f} s here (decoding process "
        f"{decoding:.2f} s of it) + {served:.2f} s server ({load()})",
        flush=True,
    )
    return result, elapsed, used + served


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the pull's decoding process)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


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


def push_only(profile: Profile) -> PushOutcome:
    """The outbox pushed, nothing pulled: the push alone, as the server merges it."""
    with profile.engine.connect() as connection:
        settings = state.read_all(connection)
    with SyncClient(settings[state.SERVER_URL], token=settings[state.DEVICE_TOKEN]) as client:
        return push_outbox(profile.engine, client)


def drop_refused(profile: Profile) -> int:
    """Remove from the seed's outbox the changes the server refused in its seeding push.

    The demo caseload holds psychologist-only records (follow-up sessions and their
    notes, about 3% of the rows) that the admin who seeds may not write: the server
    refuses them and they stay quarantined in the seed's outbox. A real admin's laptop
    holds none; left there, every later push of the seed reads them before its first
    pending change (``app/sync/push.py`` reads the outbox in ``seq`` order), a cost per
    sync that grows with the caseload (33,700 rows at 50,000 beneficiaries) and was
    counted in "changes pulled" (the seed's sync). Their count is printed."""
    with profile.engine.begin() as connection:
        removed = connection.exec_driver_sql(
            "DELETE FROM sync_outbox WHERE state = 'quarantined'"
        ).rowcount
    print(f"    {removed:,} changes refused by the server removed from the seed's outbox")
    return int(removed)


def incremental(
    seed: Profile,
    reader: Profile,
    changes: int,
    offset: int = 0,
    profile_to: Path | None = None,
    database_url: str | None = None,
) -> dict[str, tuple[float, float, float, float]]:
    """``changes`` beneficiaries edited on ``seed`` (from the ``offset``-th by id), pushed,
    then pulled by ``reader``: for "changes pushed" and "changes pulled", the wall time
    and the CPU seconds of this process (the laptop), the server and PostgreSQL's
    backends. With ``profile_to``, each sync runs under cProfile, its stats written to
    ``<profile_to>-push.prof`` and ``-pull.prof``."""
    ctx = owner.owner_context(seed.sessions)
    with seed.sessions() as session:
        ids = list(
            session.scalars(
                select(Beneficiary.id).order_by(Beneficiary.id).offset(offset).limit(changes)
            )
        )
    marker = uuid.uuid4().hex[:6]
    with ctx.transaction() as session:
        for number, record_id in enumerate(ids):
            person = session.get(Beneficiary, record_id)
            assert person is not None
            person.phone = f"06{number:04d}{marker}"
    push, pull = engine.sync, engine.sync
    if profile_to is not None:
        push = _profiled(engine.sync, profile_to, "push")
        pull = _profiled(engine.sync, profile_to, "pull")
    result: dict[str, tuple[float, float, float, float]] = {}
    before = database_cpu(database_url)
    report, pushed, _cpu = timed_cpu(f"push of {changes} changed records", push, seed)
    result["changes pushed"] = (pushed, *LAST_CPU, database_used(database_url, before))
    assert report.applied + report.merged == changes, report
    before = database_cpu(database_url)
    report, pulled, _cpu = timed_cpu(f"pull of {changes} changed records", pull, reader)
    result["changes pulled"] = (pulled, *LAST_CPU, database_used(database_url, before))
    assert report.received >= changes, report
    return result


def _profiled(function: Any, prefix: Path, step: str) -> Any:
    """``function`` run under cProfile, its stats written to ``<prefix>-<step>.prof``."""

    def run(*args: Any) -> Any:
        profiler = cProfile.Profile(time.process_time)  # CPU: the machine may be loaded
        try:
            return profiler.runcall(function, *args)
        finally:
            profiler.dump_stats(f"{prefix}-{step}.prof")

    return run


def concurrent(
    server: Server, folder: Path, teams: list[uuid.UUID], laptops: int, rounds: int
) -> None:
    """``laptops`` processes, each a counsellor of a demo team, syncing at the same moment.

    Each process starts, opens its profile, enrols and makes its first sync before the
    timed rounds: only the syncs themselves are timed, one latency per sync. Laptops of
    the same team edit different cases, and each pulls what its teammates pushed.

    A laptop whose sync fails notes the error and carries on with the next round, so the
    others are never held at the barrier; a laptop that dies is waited for at most
    ``BARRIER_SECONDS`` per step. What was measured is printed, with the failures.
    """
    context = multiprocessing.get_context("spawn")
    run_id = uuid.uuid4().hex[:4]  # usernames of their own: a reused server knows older ones
    names = [f"bench-counsellor-{run_id}-{n:02d}" for n in range(laptops)]
    for number, name in enumerate(names):  # by id: a name would make a new, empty team
        server.add_user(name, "social_worker", str(teams[number % len(teams)]))
    barrier = context.Barrier(laptops + 1)  # the laptops and this process
    results = context.Queue()
    workers = [
        context.Process(
            target=_laptop_worker,
            args=(folder / name, server.url, name, number // len(teams), rounds, barrier, results),
        )
        for number, name in enumerate(names)
    ]
    for worker in workers:
        worker.start()
    steps = [_wait(barrier) for _step in range(2)]  # enrolled; initial syncs done
    with DatabaseWatch(server.database_url) as database:
        server_cpu, started = tree_cpu(server.process.pid), time.perf_counter()
        steps += [_wait(barrier) for _round in range(rounds - 1)]
        outcomes = _collect(results, workers)
        span = time.perf_counter() - started
        server_cpu = tree_cpu(server.process.pid) - server_cpu
    database_used = database.used
    if not all(steps):
        print(f"  a laptop never reached the barrier within {BARRIER_SECONDS:.0f} s", flush=True)
    print_many(laptops, rounds, outcomes, server_cpu, span, database_used)


BARRIER_SECONDS = 1800.0
"""The longest one step of the many-laptop run may take (an initial sync under load)."""


def _wait(barrier: Any) -> bool:
    """Wait with the laptops; False (and the barrier broken for all) past the limit."""
    try:
        barrier.wait(BARRIER_SECONDS)
        return True
    except threading.BrokenBarrierError:
        return False


def _collect(results: Any, workers: list[Any]) -> list[LaptopOutcome]:
    """Every laptop's outcome; a process that died without one is counted as failed."""
    outcomes: list[LaptopOutcome] = []
    pending = len(workers)
    while pending:
        try:
            outcomes.append(results.get(timeout=5))
            pending -= 1
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers):
                break
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.terminate()
    for _missing in range(len(workers) - len(outcomes)):
        outcomes.append(LaptopOutcome(0.0, 0, [], ["the laptop process died"]))
    return outcomes


def print_many(
    laptops: int,
    rounds: int,
    outcomes: list[LaptopOutcome],
    server_cpu: float,
    span: float,
    database_cpu: float = 0.0,
) -> None:
    syncs = [one for outcome in outcomes for one in outcome.syncs]
    started = [o for o in outcomes if o.initial_records or o.initial]
    if started:
        print(
            f"  {laptops} initial syncs at once: max {max(o.initial for o in started):.2f} s, "
            f"{sum(o.initial_records for o in started):,} records in all",
            flush=True,
        )
    errors = [error for outcome in outcomes for error in outcome.errors]
    if syncs:
        print_latencies(f"{laptops} laptops x {rounds} rounds", syncs)
        laptop_cpu = sum(s.cpu for s in syncs)
        print(
            f"    {sum(s.sent for s in syncs):,} changes pushed, "
            f"{sum(s.received for s in syncs):,} records pulled; server CPU {server_cpu:.1f} s "
            f"over the {span:.1f} s of the rounds ({server_cpu / len(syncs) * 1000:.0f} ms per "
            f"sync), the database's backends {database_cpu:.1f} s "
            f"({database_cpu / len(syncs) * 1000:.0f} ms per sync); {load()}",
            flush=True,
        )
        whole = laptop_cpu + server_cpu + database_cpu
        print(
            f"    CPU per sync, all sides: {whole / len(syncs) * 1000:.0f} ms (laptop "
            f"{laptop_cpu / len(syncs) * 1000:.0f} + server {server_cpu / len(syncs) * 1000:.0f}"
            f" + database {database_cpu / len(syncs) * 1000:.0f}); {len(syncs)} syncs need "
            f"{whole:.1f} CPU s of the machine's {os.cpu_count()} cores, which the laptops "
            f"share here with the server: the p95 includes waiting for a core",
            flush=True,
        )
    expected = laptops * (rounds + 1)  # the initial sync and one per round
    print(
        f"  failed: {len(errors)} of {expected} syncs"
        + "".join(f"\n    {count} x {error}" for error, count in Counter(errors).most_common()),
        flush=True,
    )


@dataclass(frozen=True)
class OneSync:
    seconds: float
    cpu: float  # of the laptop process during the sync
    sent: int
    received: int


@dataclass(frozen=True)
class LaptopOutcome:
    initial: float
    initial_records: int
    syncs: list[OneSync]
    errors: list[str] = field(default_factory=list)  # one per failed step, as reported


def print_latencies(label: str, syncs: list[OneSync]) -> None:
    """p50 / p95 / max over every single sync (nearest rank), and the laptops' CPU."""
    latencies = sorted(s.seconds for s in syncs)
    p95 = latencies[max(0, math.ceil(len(latencies) * 0.95) - 1)]
    cpu = sorted(s.cpu for s in syncs)
    print(
        f"  {label} ({EDITS_PER_ROUND} edits each), {len(latencies)} syncs: "
        f"p50 {statistics.median(latencies):.3f} s, p95 {p95:.3f} s (target < 1 s), "
        f"max {latencies[-1]:.3f} s; laptop CPU per sync p50 {statistics.median(cpu) * 1000:.0f}"
        f" ms, max {cpu[-1] * 1000:.0f} ms",
        flush=True,
    )


def _failure(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _laptop_worker(
    folder: Path, url: str, username: str, slot: int, rounds: int, barrier: Any, results: Any
) -> None:
    """One laptop. Any failure is noted and the laptop goes on to the next barrier, so a
    failing laptop never holds the others; its outcome is always reported."""
    errors: list[str] = []
    syncs: list[OneSync] = []
    first, received = 0.0, 0
    profile: Profile | None = None
    try:
        try:
            profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
            engine.enrol(profile, url, username, PASSWORD, folder.name)
        except Exception as error:
            errors.append(f"enrolment: {_failure(error)}")
            profile = None
        barrier.wait(BARRIER_SECONDS)
        if profile is not None:
            started = time.perf_counter()
            try:
                received = engine.sync(profile).received
                first = time.perf_counter() - started
            except Exception as error:
                errors.append(f"initial sync: {_failure(error)}")
        for number in range(rounds):
            try:
                if profile is not None:
                    _edit(profile, slot, number, rounds)
            except Exception as error:
                errors.append(f"edits: {_failure(error)}")
            barrier.wait(BARRIER_SECONDS)
            if profile is None:
                continue
            started, cpu = time.perf_counter(), time.process_time()
            try:
                done = engine.sync(profile)
            except Exception as error:
                errors.append(f"sync: {_failure(error)}")
                continue
            seconds = time.perf_counter() - started
            syncs.append(OneSync(seconds, time.process_time() - cpu, done.sent, done.received))
    except threading.BrokenBarrierError:
        errors.append("stopped: another laptop did not reach the barrier in time")
    finally:
        if profile is not None:
            profile.close()
        results.put(LaptopOutcome(first, received, syncs, errors))


def _edit(profile: Profile, slot: int, number: int, rounds: int) -> None:
    """Round ``number``'s edits: cases of the laptop's team no other laptop edits."""
    with profile.sessions() as session:
        ids = list(
            session.scalars(
                select(Beneficiary.id)
                .order_by(Beneficiary.id)
                .offset((slot * rounds + number) * EDITS_PER_ROUND)
                .limit(EDITS_PER_ROUND)
            )
        )
    ctx = owner.owner_context(profile.sessions)
    for record_id in ids:
        beneficiaries.update(ctx, record_id, {"phone": f"07{number:02d}{uuid.uuid4().hex[:6]}"})


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
        # The push alone (issue 23, item 1), then the rest of the seed's first sync: it
        # pulls back what it pushed. Both printed; earlier runs timed them together.
        pushed, seconds = timed(f"seeding push of {queued} records", push_only, seed)
        print(f"    {pushed.sent / seconds:,.0f} changes/s pushed", flush=True)
        drop_refused(seed)
        report, back_seconds = timed("seeding pull-back", engine.sync, seed)
        print(
            f"    {report.received:,} records pulled back; push and pull-back together "
            f"{pushed.sent / (seconds + back_seconds):,.0f} changes/s",
            flush=True,
        )

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
        print(f"  ratio initial sync / ceiling: {seconds / copy_seconds:.2f}", flush=True)
        incremental(seed, empty, 100)
        with seed.sessions() as session:
            teams = list(session.scalars(select(Team.id).where(Team.name != "Central")))
        concurrent(server, folder, sorted(teams), args.laptops, args.rounds)
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
    incremental_push: float = 0.0
    incremental_pull: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # step -> CPU s, laptop + server
    server_rss_before: int = 0
    server_rss_peak: int = 0
    pull_back_seconds: float = 0.0
    pull_back_records: int = 0
    pull_back_rss: tuple[int, int] = (0, 0)
    queue_cpu: float = 0.0  # CPU s of queue_all (this process)
    refused: int = 0  # seeding changes the server refused (psychologist-only records)
    # step -> CPU s of this process (the laptop), the server, PostgreSQL's backends
    split: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    # incremental step -> CPU s (laptop + server) of each repeat, in order
    repeats: dict[str, list[float]] = field(default_factory=dict)

    def per_record(self) -> tuple[float, ...]:
        """Microseconds per record, in ``STEPS`` order: seeding push, seeding pull-back,
        initial sync, then the push and the pull of the same number of changes into a
        store of this size."""
        seconds = (
            self.push_seconds,
            self.pull_back_seconds,
            self.initial_seconds,
            self.incremental_push,
            self.incremental_pull,
        )
        return tuple(s / max(n, 1) * 1e6 for s, n in zip(seconds, self.counts(), strict=True))

    def counts(self) -> tuple[int, ...]:
        return (
            self.records,
            self.pull_back_records,
            self.initial_records,
            self.changes,
            self.changes,
        )

    def cpu_per_record(self) -> tuple[float, ...]:
        """Microseconds of CPU (bench process + server) per record, same steps."""
        return tuple(
            self.cpu.get(step, 0.0) / max(count, 1) * 1e6
            for step, count in zip(CPU_STEPS, self.counts(), strict=True)
        )


STEPS = ("seeding push", "seeding pull-back", "initial sync", "changes pushed", "changes pulled")
CPU_STEPS = ("push", "pull-back", "initial", "changes pushed", "changes pulled")


def split_step(size: Size, step: str, database_url: str | None, function: Any, *args: Any) -> Any:
    """``function(*args)`` (a :func:`timed_cpu` call), its CPU split by process kept in
    ``size.split[step]``: this process and the server, then PostgreSQL's backends for the
    bench database, read before and after (outside the timed step: reading them costs
    this process CPU; the backends are idle between steps)."""
    before = database_cpu(database_url)
    result = function(*args)
    size.split[step] = (*LAST_CPU, database_used(database_url, before))
    return result


def database_used(database_url: str | None, before: dict[int, float]) -> float:
    """CPU seconds of PostgreSQL's backends for ``database_url`` since ``before``."""
    after = database_cpu(database_url)
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def incremental_repeats(
    size: Size,
    seed: Profile,
    reader: Profile,
    database_url: str | None,
    args: argparse.Namespace,
    backend: str,
) -> None:
    """The incremental steps ``args.repeat`` times, each on the next ``size.changes``
    beneficiaries by id (the first ones again once the caseload is used up), the repeat
    with the median CPU kept for each step and every repeat's CPU printed: at 1,000
    beneficiaries a step lasts about a tenth of a second, read on the server's CPU clock
    in ticks of 10 ms, so one run of it is noise. With ``--profile DIR``, one more
    repeat, not counted, runs under cProfile (this process only)."""
    runs: list[dict[str, tuple[float, float, float, float]]] = []
    for repeat in range(args.repeat + (1 if args.profile else 0)):
        start = repeat * size.changes
        offset = start if start + size.changes <= size.beneficiaries else 0
        profile_to = None
        if repeat == args.repeat:
            profile_to = args.profile / f"{backend}-{size.beneficiaries}"
            print(f"    profiled, not counted: {profile_to}-push.prof, -pull.prof", flush=True)
        runs.append(incremental(seed, reader, size.changes, offset, profile_to, database_url))
    counted = runs[: args.repeat]
    for step in ("changes pushed", "changes pulled"):
        cpus = [(run[step][1] + run[step][2], run[step]) for run in counted]
        cpus.sort(key=lambda pair: pair[0])
        wall, here, served, database = cpus[len(cpus) // 2][1]
        size.cpu[step] = here + served
        size.split[step] = (here, served, database)
        size.repeats[step] = [run[step][1] + run[step][2] for run in counted]
        if step == "changes pushed":
            size.incremental_push = wall
        else:
            size.incremental_pull = wall


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
            timed(f"{caseload:,}: demo generation", fill_profile, seed, caseload)
            # Timed too (not a ratio of the issue): every row of the caseload queued in
            # one transaction (at 50,000 about 15 minutes of wall time, untimed before).
            size.records, _wall, size.queue_cpu = timed_cpu(
                f"{caseload:,}: queue_all", outbox.queue_all, seed
            )
            outcome, size.push_seconds, size.cpu["push"] = split_step(
                size,
                "push",
                database_url,
                timed_cpu,
                f"{caseload:,}: seeding push",
                push_only,
                seed,
            )
            assert outcome.sent == size.records, outcome
            size.refused = drop_refused(seed)
            # The rest of the seed's first sync: it pulls back every record it pushed;
            # those the server stored as sent are not written again (issue 23, item 1).
            with MemoryWatch(server.process.pid) as memory:
                report, size.pull_back_seconds, size.cpu["pull-back"] = split_step(
                    size,
                    "pull-back",
                    database_url,
                    timed_cpu,
                    f"{caseload:,}: seeding pull-back",
                    engine.sync,
                    seed,
                )
            size.pull_back_records = report.received
            size.pull_back_rss = (memory.before, memory.peak)
            empty = laptop(folder / "empty", server, "bench-admin")
            with MemoryWatch(server.process.pid) as memory:
                report, size.initial_seconds, size.cpu["initial"] = split_step(
                    size,
                    "initial",
                    database_url,
                    timed_cpu,
                    f"{caseload:,}: initial sync",
                    engine.sync,
                    empty,
                )
            size.initial_records = report.received
            size.server_rss_before, size.server_rss_peak = memory.before, memory.peak
            # The incremental step needs two laptops holding the caseload: the seed,
            # which pulled everything back, reads the changes.
            reader = seed
            size.changes = min(args.changes, caseload)
            incremental_repeats(size, empty, reader, database_url, args, backend)
            empty.close()
            reader.close()
        sizes.append(size)
        if args.out is None:  # with --out, each size's server and laptops are kept
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n  {backend}: per record, wall time and CPU (this process + the server's) ({load()})")
    for size in sizes:
        print(f"  {size.beneficiaries:>7,} beneficiaries, {size.records:>9,} records:", flush=True)
        for step, wall, cpu, count in zip(
            STEPS, size.per_record(), size.cpu_per_record(), size.counts(), strict=True
        ):
            print(
                f"    {step:<18} {count:>9,} records: {wall:8.1f} us wall, {cpu:8.1f} us CPU",
                flush=True,
            )
        print(
            f"    queue_all {size.queue_cpu / max(size.records, 1) * 1e6:8.1f} us CPU a record",
            flush=True,
        )
        print("    CPU us a record by process, laptop / server / PostgreSQL:", flush=True)
        for step, cpu_step, count in zip(STEPS, CPU_STEPS, size.counts(), strict=True):
            parts = size.split.get(cpu_step, (0.0, 0.0, 0.0))
            print(
                f"      {step:<18} " + " / ".join(f"{p / max(count, 1) * 1e6:7.1f}" for p in parts),
                flush=True,
            )
        for step, repeats in size.repeats.items():
            print(
                f"    {step}, CPU s (laptop + server) of each of {len(repeats)} repeats: "
                + ", ".join(f"{cpu:.2f}" for cpu in repeats)
                + f" (median kept; spread {max(repeats) - min(repeats):.2f} s)",
                flush=True,
            )
        print(
            f"    server memory {size.server_rss_before / 2**20:,.0f} -> "
            f"{size.server_rss_peak / 2**20:,.0f} MiB during the initial sync, "
            f"{size.pull_back_rss[0] / 2**20:,.0f} -> {size.pull_back_rss[1] / 2**20:,.0f} MiB "
            "during the seeding pull-back",
            flush=True,
        )
    smallest, largest = sizes[0], sizes[-1]
    print(
        f"  ratio per record, {largest.beneficiaries:,} vs {smallest.beneficiaries:,} "
        "(target <= 1.3):",
        flush=True,
    )
    for step, wall_a, wall_b, cpu_a, cpu_b in zip(
        STEPS,
        smallest.per_record(),
        largest.per_record(),
        smallest.cpu_per_record(),
        largest.cpu_per_record(),
        strict=True,
    ):
        print(f"    {step:<18} wall {wall_b / wall_a:5.2f}   CPU {cpu_b / cpu_a:5.2f}", flush=True)
    print("  ratio per record by process, laptop / server / PostgreSQL:", flush=True)
    for step, cpu_step in zip(STEPS, CPU_STEPS, strict=True):
        small = smallest.split.get(cpu_step, (0.0, 0.0, 0.0))
        large = largest.split.get(cpu_step, (0.0, 0.0, 0.0))
        n_small, n_large = (
            max(size.counts()[CPU_STEPS.index(cpu_step)], 1) for size in (smallest, largest)
        )
        ratios = (
            f"{(b / n_large) / (a / n_small):5.2f}" if a > 0 else "    -"
            for a, b in zip(small, large, strict=True)
        )
        print(f"    {step:<18} " + " / ".join(ratios), flush=True)
    print(
        f"  server memory during the pulls of the largest caseload ({largest.records:,} "
        f"records): initial sync {largest.server_rss_before / 2**20:,.0f} -> "
        f"{largest.server_rss_peak / 2**20:,.0f} MiB, seeding pull-back "
        f"{largest.pull_back_rss[0] / 2**20:,.0f} -> {largest.pull_back_rss[1] / 2**20:,.0f} MiB",
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
        "--changes", type=int, default=1_000, help="--scaling: changes pushed and pulled per size"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="--scaling: the incremental steps run this many times per size (median kept)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="--scaling: one more incremental push and pull per size under cProfile, "
        "stats written in this folder",
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1_000, 10_000, 50_000],
        help="caseload sizes for --scaling, comma-separated",
    )
    args = parser.parse_args(argv)
    for wanted in (args.profile, args.out):
        if wanted is not None:
            wanted.mkdir(parents=True, exist_ok=True)
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
