"""Benchmark of the encrypted store at caseload scale (a script: it prints figures).

    .venv/bin/python bench/store.py [--beneficiaries 50000] [--seed 0] [--out DIR]

1. Builds a profile of ``--beneficiaries`` demo cases with the real, calibrated KDF
   and times the generation (target < 120 s for 50,000).
2. Times unlocking it: Argon2id key derivation and database opening, separately.
3. Builds the same data (same generator, same seed) into a plain, unencrypted SQLite
   file with the same schema and connection settings, then runs the same workloads on
   both and prints the SQLCipher / plain ratios (target <= 1.3):
   - search: 200 realistic queries through ``app.services.search.search``
     (target p95 < 30 ms);
   - writes: single-row updates of beneficiaries, each in its own transaction.

The plain database is driven by the ``sqlcipher3`` module without a key by default:
the same SQLite build, so the ratio isolates the cost of encryption.
``--plain-driver sqlite3`` uses Python's own SQLite instead (another version and
build of SQLite, so the ratio then mixes both effects).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.demo import DemoSummary, fill_profile, generate  # noqa: E402
from app.models import Beneficiary  # noqa: E402
from app.services.context import Actor, ServiceContext  # noqa: E402
from app.services.search import search  # noqa: E402
from app.store import migrate  # noqa: E402

# The profile's own connection settings, applied to the plain database too (private on
# purpose in app.store.engine; imported so that "same settings" stays true).
from app.store.engine import configure_connection, engine_from_creator  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402

PASSPHRASE = "benchmark passphrase"
TARGET_GENERATION_S = 120.0
TARGET_SEARCH_P95_MS = 30.0
TARGET_RATIO = 1.3


# -- a plain SQLite engine with the profile's settings -----------------------------------


def create_plain_engine(path: Path, driver: str) -> Engine:
    """An unencrypted engine configured like ``app.store.engine.create_keyed_engine``."""
    module: Any = sqlcipher3.dbapi2 if driver == "sqlcipher3" else sqlite3

    def creator() -> Any:
        connection = module.connect(str(path), check_same_thread=False, isolation_level=None)
        configure_connection(connection)  # WAL, synchronous=FULL, FKs, temp_store, passerelle_fold
        return connection

    return engine_from_creator(path, creator, module)


# -- workloads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timings:
    samples_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[94]

    @property
    def max(self) -> float:
        return max(self.samples_ms)

    @property
    def total_s(self) -> float:
        return sum(self.samples_ms) / 1000

    def line(self) -> str:
        return (
            f"p50 {self.p50:7.2f} ms  p95 {self.p95:7.2f} ms  max {self.max:7.2f} ms  "
            f"total {self.total_s:6.2f} s"
        )


def search_queries(engine: Engine, count: int, seed: int) -> list[str]:
    """Queries staff really type: name prefixes in both scripts, CIN prefixes, two words."""
    rng = random.Random(seed)
    with engine.connect() as connection:
        people = connection.execute(
            select(
                Beneficiary.last_name,
                Beneficiary.first_name,
                Beneficiary.last_name_ar,
                Beneficiary.first_name_ar,
                Beneficiary.cin,
            ).order_by(Beneficiary.id)
        ).all()
    kinds: list[Callable[[Any], str | None]] = [
        lambda p: _prefix(rng, p.last_name, 3, 6),
        lambda p: _prefix(rng, p.first_name, 3, 6),
        lambda p: _prefix(rng, p.last_name_ar, 3, 5),
        lambda p: _prefix(rng, p.first_name_ar, 3, 5),
        lambda p: p.cin[: rng.randint(3, 6)] if p.cin else None,
        lambda p: f"{_prefix(rng, p.last_name, 3, 6)} {_prefix(rng, p.first_name, 2, 4)}",
        lambda p: f"{p.first_name_ar} {_prefix(rng, p.last_name_ar, 3, 5)}",
        lambda p: p.last_name,
    ]
    queries: list[str] = []
    while len(queries) < count:
        query = kinds[len(queries) % len(kinds)](rng.choice(people))
        if query:
            queries.append(query)
    return queries


def _prefix(rng: random.Random, name: str | None, shortest: int, longest: int) -> str | None:
    if not name:
        return None
    word = max(name.split(), key=len)  # "El Ouazzani" is typed "Ouaz", not "El O"
    return word[: rng.randint(shortest, longest)]


def interleaved(count: int, engines: list[Engine], block: int) -> Iterator[tuple[int, int]]:
    """(step, engine index): blocks of ``block`` steps on each engine in turn.

    Each engine runs a block, then the other runs the same block, the order flipping
    every block: slow drift on a shared machine then hits both databases alike, while
    each block still runs with its own database's pages and CPU caches warm.
    """
    for number, first in enumerate(range(0, count, block)):
        steps = range(first, min(first + block, count))
        order = range(len(engines)) if number % 2 == 0 else reversed(range(len(engines)))
        for which in order:
            for step in steps:
                yield step, which


def time_searches(
    engines: list[Engine], queries: list[str], passes: int
) -> tuple[list[Timings], list[Timings], list[int]]:
    """Per engine: the first pass (cold caches), the warm passes (median of each query
    over passes 2..n), and the number of hits. Engines take turns pass by pass, the
    order flipping each pass, so that drift on a shared machine hits both alike."""
    actor = Actor(uuid.UUID(int=0), StaffRole.SOCIAL_WORKER)
    contexts = [ServiceContext(sessionmaker(e, expire_on_commit=False), actor) for e in engines]
    samples = [[[0.0] * len(queries) for _ in range(passes)] for _ in engines]
    hits = [0] * len(engines)
    for number in range(passes):
        order = range(len(engines)) if number % 2 == 0 else reversed(range(len(engines)))
        for which in order:
            for index, query in enumerate(queries):
                started = time.perf_counter()
                found = search(contexts[which], query)
                samples[which][number][index] = (time.perf_counter() - started) * 1000
                if number == 0:
                    hits[which] += len(found)
    cold = [Timings(runs[0]) for runs in samples]
    warm = [
        Timings(
            [statistics.median(run[index] for run in runs[1:]) for index in range(len(queries))]
        )
        for runs in samples
    ]
    return cold, warm, hits


def time_updates(engines: list[Engine], count: int, seed: int) -> list[Timings]:
    """``count`` single-row updates of a beneficiary per engine, each committed on its own."""
    rng = random.Random(seed)
    with engines[0].connect() as connection:
        ids = connection.execute(select(Beneficiary.id).order_by(Beneficiary.id)).scalars().all()
    chosen = [rng.choice(ids) for _ in range(count)]
    moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    samples: list[list[float]] = [[] for _ in engines]
    for index, which in interleaved(count, engines, block=100):
        phone = f"06 {index // 10000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d} 00"
        started = time.perf_counter()
        with engines[which].begin() as connection:
            connection.execute(
                update(Beneficiary)
                .where(Beneficiary.id == chosen[index])
                .values(phone=phone, updated_at=moment, row_version=Beneficiary.row_version + 1)
            )
        samples[which].append((time.perf_counter() - started) * 1000)
    return [Timings(runs) for runs in samples]


# -- reporting ------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPU(s), {model}{memory}, {platform.platform()}"


def versions() -> str:
    connection = sqlcipher3.connect(":memory:")
    try:
        sqlite_version = connection.execute("SELECT sqlite_version()").fetchone()[0]
        cipher = connection.execute("PRAGMA cipher_version").fetchone()
        cipher_version = cipher[0] if cipher else "?"
    finally:
        connection.close()
    return (
        f"Python {platform.python_version()}, SQLCipher {cipher_version} (SQLite "
        f"{sqlite_version}), stdlib sqlite3 {sqlite3.sqlite_version}"
    )


def size_mib(path: Path) -> float:
    """Size of a file, or of every file under a folder, in MiB."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1024 / 1024


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


@contextmanager
def workspace(out: str | None) -> Iterator[Path]:
    if out:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="passerelle-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report_generation(label: str, seconds: float, summary: DemoSummary) -> None:
    print(
        f"  {label:<10} {seconds:7.1f} s  ({summary.total:,} rows, "
        f"{summary.total / seconds:,.0f} rows/s)"
    )


# -- main -------------------------------------------------------------------------------------


def build(folder: Path, args: argparse.Namespace) -> None:
    """The encrypted profile (calibrated KDF) and the plain copy, from the same seed."""
    encrypted_dir, plain_path = folder / "encrypted", folder / "plain.db"
    started = time.perf_counter()
    kdf = KdfParams.calibrated()
    calibration = time.perf_counter() - started
    print(
        f"\nKDF calibrated in {calibration:.1f} s: Argon2id t={kdf.time_cost}, "
        f"m={kdf.memory_cost_kib // 1024} MiB, p={kdf.parallelism}"
    )

    print("\nGeneration (demo data, one transaction)")
    profile = Profile.create(encrypted_dir, PASSPHRASE, kdf)
    started = time.perf_counter()
    summary = fill_profile(profile, args.beneficiaries, seed=args.seed)
    generation = time.perf_counter() - started
    profile.close()
    report_generation("SQLCipher", generation, summary)

    plain = create_plain_engine(plain_path, args.plain_driver)
    migrate.upgrade(plain)
    started = time.perf_counter()
    plain_summary = generate(plain, args.beneficiaries, seed=args.seed)
    plain_generation = time.perf_counter() - started
    report_generation("plain", plain_generation, plain_summary)
    print(
        f"  ratio      {generation / plain_generation:7.2f}   "
        f"target SQLCipher < {TARGET_GENERATION_S:.0f} s: "
        f"{verdict(generation < TARGET_GENERATION_S)}"
    )
    with plain.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    plain.dispose()
    plain_mib = sum(size_mib(p) for p in folder.glob(plain_path.name + "*"))
    print(f"  on disk    SQLCipher {size_mib(encrypted_dir):.0f} MiB, plain {plain_mib:.0f} MiB")
    for table, count in summary.as_dict().items():
        print(f"    {table:<22} {count:>9,}")


def with_cache_size(engine: Engine, kib: int | None) -> Engine:
    """Experiment: another page cache size on every connection of ``engine``."""
    if kib is None:
        return engine

    @event.listens_for(engine, "connect")
    def _cache(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.execute(f"PRAGMA cache_size = -{kib}")

    engine.dispose()  # pooled connections predate the listener
    return engine


def measure(folder: Path, args: argparse.Namespace) -> None:
    """Unlock, then the same search and write workloads on both databases."""
    encrypted_dir, plain_path = folder / "encrypted", folder / "plain.db"
    print("\nUnlock (Profile.open with the calibrated KDF)")
    kdf_times, open_times = [], []
    for _attempt in range(args.unlocks):
        opened = Profile.open(encrypted_dir, PASSPHRASE)
        kdf_times.append(opened.timings.kdf_seconds)
        open_times.append(opened.timings.open_seconds)
        opened.close()
    print(
        f"  KDF  median {statistics.median(kdf_times) * 1000:6.0f} ms  "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in kdf_times)} ms)"
    )
    print(
        f"  open median {statistics.median(open_times) * 1000:6.0f} ms  "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in open_times)} ms)"
    )

    profile = Profile.open(encrypted_dir, PASSPHRASE)
    encrypted = with_cache_size(profile.engine, args.cache_kib)
    plain = with_cache_size(create_plain_engine(plain_path, args.plain_driver), args.cache_kib)
    if args.cache_kib:
        print(f"\n(experiment: PRAGMA cache_size = -{args.cache_kib} on both databases)")
    queries = search_queries(encrypted, args.queries, args.seed)
    print(
        f"\nSearch ({len(queries)} queries, {args.passes} passes, "
        f"e.g. {', '.join(map(repr, queries[:8]))})"
    )
    (cold, plain_cold), (warm, plain_warm), hits = time_searches(
        [encrypted, plain], queries, args.passes
    )
    assert hits[0] == hits[1], "both databases must return the same results"
    print(f"  SQLCipher cold  {cold.line()}")
    print(f"  SQLCipher warm  {warm.line()}")
    print(f"  plain     cold  {plain_cold.line()}")
    print(f"  plain     warm  {plain_warm.line()}")
    print(f"  {hits[0] / len(queries):.1f} hits per query on average")
    ratio = warm.total_s / plain_warm.total_s
    print(
        f"  ratio warm: p50 {warm.p50 / plain_warm.p50:.2f}, "
        f"p95 {warm.p95 / plain_warm.p95:.2f}, total {ratio:.2f}; "
        f"cold total {cold.total_s / plain_cold.total_s:.2f}"
    )
    print(
        f"  target p95 < {TARGET_SEARCH_P95_MS:.0f} ms: "
        f"{verdict(warm.p95 < TARGET_SEARCH_P95_MS)} "
        f"(cold {verdict(cold.p95 < TARGET_SEARCH_P95_MS)}); "
        f"target ratio <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)}"
    )

    print(f"\nWrites ({args.updates:,} single-row updates each, one transaction each)")
    writes, plain_writes = time_updates([encrypted, plain], args.updates, args.seed)
    print(f"  SQLCipher  {writes.line()}")
    print(f"  plain      {plain_writes.line()}")
    ratio = writes.total_s / plain_writes.total_s
    print(f"  ratio total {ratio:.2f}: target <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)}")
    profile.close()
    plain.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--beneficiaries", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="keep the databases in this folder (default: temporary)")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the databases already in --out"
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--passes", type=int, default=5, help="search passes (first is cold)")
    parser.add_argument("--updates", type=int, default=2_000)
    parser.add_argument("--unlocks", type=int, default=3)
    parser.add_argument("--plain-driver", choices=("sqlcipher3", "sqlite3"), default="sqlcipher3")
    parser.add_argument(
        "--cache-kib", type=int, help="experiment: PRAGMA cache_size on both databases"
    )
    args = parser.parse_args(argv)
    if args.reuse and not args.out:
        parser.error("--reuse needs --out")

    print(f"Machine: {machine()}")
    print(f"Versions: {versions()}")
    print(f"Beneficiaries: {args.beneficiaries:,}, seed {args.seed}")
    with workspace(args.out) as folder:
        existing = [p for p in (folder / "encrypted", folder / "plain.db") if p.exists()]
        if args.reuse:
            if len(existing) != 2:
                sys.exit(f"--reuse: no benchmark databases in {folder}")
            print(f"(reusing the databases in {folder})")
        elif existing:
            sys.exit(f"{existing[0]} exists: use an empty --out folder, or --reuse")
        else:
            build(folder, args)
        measure(folder, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
