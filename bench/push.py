"""The server's merge of pushed batches, bulk against change by change (a script).

    .venv/bin/python bench/push.py [--beneficiaries 1000] [--backend sqlite|postgresql]
        [--database-url URL]

A demo profile's records (``app.demo.fill_profile``, every row queued as a creation by
``outbox.queue_all``) are pushed in batches of ``MAX_PUSH_CHANGES`` into two empty
server databases of the same backend, in process (no HTTP: the merge alone): one
merged in bulk (``server.services.push.push``), the other the careful way, a savepoint
and a flush per change (``push(bulk=False)``, the path before issue 23 and the bulk
path's fallback). The two take turns batch by batch so that the load of a shared
machine hits both alike. Printed: changes/s (wall clock) and changes per CPU second of
this process (on SQLite that includes the database's own work), on PostgreSQL also per
CPU second of this process and its database backend together (read from /proc), the
ratio, and the load average before and after.

With ``--http`` (issue 23, the seeding push end to end): a real server process on
loopback (bench/sync.py's), a laptop enrolled as an administrator, filled with the demo
and its outbox pushed alone through HTTP (``push_outbox``: reading the outbox, writing
the requests, the server's route and merge, settling the answers). Printed: wall time,
changes/s, and the CPU seconds per 1,000 changes of the laptop (this process) and of the
server (its process tree; PostgreSQL's own processes not counted), measured in the same
run. ``--profile DIR`` also writes ``DIR/laptop-<backend>.prof`` (cProfile of the push
in this process); the server's merge is profiled in process by the default mode's
``--profile``, which writes ``DIR/merge-<backend>.prof`` for the bulk side.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from app.demo import fill_profile  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.sync import engine, outbox  # noqa: E402
from app.sync.push import _change  # noqa: E402
from app.sync.state import OUTBOX  # noqa: E402
from passerelle_core.protocol import MAX_PUSH_CHANGES, Change  # noqa: E402
from server.core.db import Database  # noqa: E402
from server.core.settings import ServerSettings  # noqa: E402
from server.core.tables import Device  # noqa: E402
from server.services import accounts  # noqa: E402
from server.services.devices import Caller  # noqa: E402
from server.services.passwords import Passwords  # noqa: E402
from server.services.push import push  # noqa: E402


@dataclass
class Side:
    name: str
    bulk: bool
    database: Database
    caller: Caller
    wall: float = 0.0
    cpu: float = 0.0
    backend_cpu: float = 0.0  # PostgreSQL: the server process of the connection
    statuses: dict[str, int] | None = None


def demo_changes(folder: Path, beneficiaries: int) -> list[Change]:
    profile = Profile.create(folder / "laptop", "bench passphrase", KdfParams.fast_for_tests())
    fill_profile(profile, beneficiaries)
    outbox.queue_all(profile)
    with profile.engine.connect() as connection:
        rows = connection.execute(select(OUTBOX).order_by(OUTBOX.c.seq)).all()
    profile.close()
    return [_change(row) for row in rows]


def server_side(name: str, bulk: bool, folder: Path, url: str | None) -> Side:
    settings = ServerSettings(
        data_dir=folder / name,
        database_url=url,
        password_time_cost=1,
        password_memory_kib=1024,
        password_parallelism=1,
    )
    database = Database(settings)
    database.migrate()
    passwords = Passwords.from_settings(settings)
    with database.session() as session:
        user = accounts.add_user(
            session, accounts.NewUser("bench-admin", "x" * 16, "admin", "Central"), passwords
        )
    device_id = uuid.uuid4()
    with database.session() as session, session.begin():
        session.add(Device(id=device_id, user_id=user.staff_id, name="bench", token_hash=name))
    return Side(name, bulk, database, Caller(device_id, "bench", "active", user))


def push_batch(side: Side, batch: list[Change], profile: cProfile.Profile | None = None) -> None:
    with side.database.session() as session:
        backends = _backend_pids(session)
        before = sum(_process_cpu(pid) for pid in backends)
        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        results = push(session, side.caller, batch, bulk=side.bulk)
        if profile is not None:
            profile.disable()
        side.wall += time.perf_counter() - wall
        side.cpu += time.process_time() - cpu
        side.backend_cpu += sum(_process_cpu(pid) for pid in backends) - before
    statuses = side.statuses if side.statuses is not None else {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    side.statuses = statuses


def _backend_pids(session: Session) -> list[int]:
    """PostgreSQL: the server processes serving this side's database (its own)."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    with session.begin():
        query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        return [int(pid) for pid in session.connection().exec_driver_sql(query).scalars()]


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process of this machine (0 if unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def run(
    backend: str,
    changes: list[Change],
    folder: Path,
    url: str | None,
    profiles: Path | None,
    bulk_only: bool = False,
) -> None:
    with ExitStack() as stack:
        urls: list[str | None] = [None, None]
        if backend == "postgresql":
            if not url:
                raise SystemExit("PostgreSQL: give --database-url or PASSERELLE_TEST_DATABASE_URL")
            urls = [stack.enter_context(fresh_postgres(url)) for _ in range(1 if bulk_only else 2)]
        sides = [server_side(f"{backend}-bulk", True, folder, urls[0])]
        if not bulk_only:
            sides.append(server_side(f"{backend}-careful", False, folder, urls[1]))
        load_at_start = _load_now()
        batches = [
            changes[start : start + MAX_PUSH_CHANGES]
            for start in range(0, len(changes), MAX_PUSH_CHANGES)
        ]
        profile = cProfile.Profile() if profiles is not None else None
        for number, batch in enumerate(batches):
            order = sides if number % 2 == 0 else sides[::-1]
            for side in order:
                push_batch(side, batch, profile if side.bulk else None)
        if profile is not None and profiles is not None:
            profile.dump_stats(profiles / f"merge-{backend}.prof")
        print(f"\n== {backend}: {len(changes):,} changes in {len(batches)} batches ==")
        for side in sides:
            with_backend = ""
            if side.backend_cpu > 0:
                both = side.cpu + side.backend_cpu
                with_backend = f" ({len(changes) / both:,.0f} with the database's process)"
            print(
                f"  {side.name:>20}: {side.wall:7.2f} s, {len(changes) / side.wall:8,.0f} "
                f"changes/s; {len(changes) / side.cpu:8,.0f} changes per CPU second, "
                f"{side.cpu * 10_000 / len(changes):.3f} CPU s per 10k changes"
                f"{with_backend} {side.statuses}",
                flush=True,
            )
        if bulk_only:
            print(f"  load average: {load_at_start} at the start, {_load_now()} at the end")
            sides[0].database.dispose()
            return
        bulk, careful = sides
        print(
            f"  bulk / careful: {careful.wall / bulk.wall:.1f}x faster (wall), "
            f"{careful.cpu / bulk.cpu:.1f}x less CPU in this process",
            flush=True,
        )
        print(f"  load average: {load_at_start} at the start, {_load_now()} at the end", flush=True)
        assert bulk.statuses == careful.statuses, "the two merges answered differently"
        for side in sides:
            side.database.dispose()


def end_to_end(
    backend: str, beneficiaries: int, folder: Path, url: str | None, profiles: Path | None
) -> None:
    """The outbox of a demo laptop pushed alone through a real server process."""
    import sync as bench_sync  # bench/sync.py: its server and laptop helpers

    folder.mkdir(parents=True)
    with ExitStack() as stack:
        database_url = None
        if backend == "postgresql":
            if not url:
                raise SystemExit("PostgreSQL: give --database-url or PASSERELLE_TEST_DATABASE_URL")
            database_url = stack.enter_context(fresh_postgres(url))
        server = stack.enter_context(bench_sync.running_server(folder, database_url, 1))
        server.add_user("bench-admin", "admin", "Central")
        laptop = bench_sync.laptop(folder / "laptop", server, "bench-admin")
        stack.callback(laptop.close)
        engine.sync(laptop)
        fill_profile(laptop, beneficiaries)
        queued = outbox.queue_all(laptop)
        load_at_start = _load_now()
        profile = cProfile.Profile() if profiles is not None else None
        server_cpu = bench_sync.tree_cpu(server.process.pid)
        wall, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        outcome = bench_sync.push_only(laptop)
        if profile is not None:
            profile.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server_cpu = bench_sync.tree_cpu(server.process.pid) - server_cpu
        if profile is not None and profiles is not None:
            profile.dump_stats(profiles / f"laptop-{backend}.prof")
        per_thousand = 1000 / queued
        print(
            f"\n== {backend}, end to end: {queued:,} changes pushed through HTTP ==\n"
            f"  {wall:.2f} s wall, {queued / wall:,.0f} changes/s; CPU per 1,000 changes: "
            f"laptop {cpu * per_thousand:.3f} s, server {server_cpu * per_thousand:.3f} s "
            f"(laptop + server {queued / (cpu + server_cpu):,.0f} changes per CPU second)\n"
            f"  {outcome}\n  load average: {load_at_start} at the start, {_load_now()} at the end",
            flush=True,
        )


def _load_now() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--beneficiaries", type=int, default=1_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--http", action="store_true", help="end to end, through a server")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile files here")
    parser.add_argument("--bulk-only", action="store_true", help="no careful side (faster)")
    args = parser.parse_args(argv)
    url = args.database_url or os.environ.get("PASSERELLE_TEST_DATABASE_URL")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-push-") as temporary:
        folder = Path(temporary)
        if args.http:
            for backend in args.backend or ["sqlite", "postgresql"]:
                end_to_end(backend, args.beneficiaries, folder / backend, url, args.profile)
            return 0
        started = time.perf_counter()
        changes = demo_changes(folder, args.beneficiaries)
        print(f"{len(changes):,} changes queued in {time.perf_counter() - started:.1f} s")
        for backend in args.backend or ["sqlite", "postgresql"]:
            run(backend, changes, folder, url, args.profile, args.bulk_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
