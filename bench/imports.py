"""Benchmark of the spreadsheet import (a script: it prints figures, it is never a test).

    .venv/bin/python bench/imports.py [--rows 50000] [--known 2000] [--seed 0]
                                      [--formats xlsx csv] [--per-row] [--in-process]
                                      [--out DIR]

A seeded spreadsheet (:mod:`app.services.import_sample`: Latin and Arabic names, about
1% invalid lines, 1% people entered twice, people already in the profile updated by
their CIN or entered again) is written as XLSX and CSV. For each format:

- **import**: a real SQLCipher profile (cheap KDF: unlocking is not measured) first
  receives the ``known`` rows, then the file goes through the path of the CLI and the
  dialog (``import_beneficiaries``: read, map, parse, validate, duplicates, write with
  the outbox, the access log and the search index), valid rows kept
  (``--skip-invalid``); ``--per-row`` also runs the per-row ORM write it replaced,
  ``--in-process`` times the import both with its reader process
  (:mod:`app.services.import_worker`, used only when a core is free) and without it;
- **ceiling**, in the same run: the beneficiary rows that import stored, inserted by a
  plain Core ``executemany`` in one transaction into another empty profile (the search
  index triggers fire there too; no outbox, no log, nothing read or checked).

Printed: rows of the file per second, the time as a multiple of the ceiling's, process
CPU seconds (the import's: this process and the child that reads and parses a large
file, :mod:`app.services.import_worker`) beside wall seconds (the machine is shared:
wall time under load means little), the load average and the phases. Target (issue 23):
>= 5,000 rows/s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from app.models import Beneficiary, Facility  # noqa: E402
from app.services import import_mapping, import_sample, import_worker, owner  # noqa: E402
from app.services.context import ServiceContext  # noqa: E402
from app.services.importer import (  # noqa: E402
    ImportReport,
    import_beneficiaries,
    import_table,
    read_table,  # noqa: E402
)
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402

PASSPHRASE = "benchmark passphrase"
PHASES = (
    "read", "parse", "wait", "validate", "duplicates", "indexes", "write", "index", "outbox", "log",
    "write_total",
)  # fmt: skip


@dataclass
class Run:
    seconds: float
    cpu: float
    """CPU seconds of this process and of the child process that read the file, if any."""
    report: ImportReport

    @property
    def reader_cpu(self) -> float:
        return self.report.phases.get("reader_process:cpu", 0.0)


def new_profile(folder: Path) -> tuple[Profile, ServiceContext]:
    shutil.rmtree(folder, ignore_errors=True)
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    owner.setup_owner(profile.sessions, "Bench User", StaffRole.SUPERVISOR, "Prison locale Oukacha")
    return profile, owner.owner_context(profile.sessions)


def import_file(ctx: ServiceContext, path: Path, *, per_row: bool) -> Run:
    started, started_cpu = time.perf_counter(), time.process_time()
    if per_row:
        table = read_table(path)
        report = import_table(
            ctx, table, import_mapping.propose(table), skip_invalid=True, per_row=True
        )
    else:
        report = import_beneficiaries(ctx, path, skip_invalid=True)
    cpu = time.process_time() - started_cpu + report.phases.get("reader_process:cpu", 0.0)
    return Run(time.perf_counter() - started, cpu, report)


def stored_rows(profile: Profile, known: set[uuid.UUID]) -> tuple[list[dict[str, Any]], list[Any]]:
    """The beneficiary rows the import created, and the facilities it added."""
    with profile.engine.connect() as connection:
        table = Beneficiary.__table__
        rows = [
            dict(row._mapping) for row in connection.execute(select(table)) if row.id not in known
        ]
        facilities = [dict(row._mapping) for row in connection.execute(select(Facility.__table__))]
    return rows, facilities


def ceiling(folder: Path, rows: list[dict[str, Any]], facilities: list[Any]) -> tuple[float, float]:
    """Seconds (wall, CPU) of one plain Core executemany of ``rows`` into an empty profile."""
    profile, ctx = new_profile(folder)
    mine = {"assigned_staff_id": ctx.actor.staff_id, "team_id": ctx.actor.team_id}
    rows = [{**row, **mine, "updated_by_id": ctx.actor.staff_id} for row in rows]
    try:
        with profile.engine.begin() as connection:
            present = set(connection.scalars(select(Facility.__table__.c.id)))
            missing = [f for f in facilities if f["id"] not in present]
            if missing:
                connection.execute(insert(Facility.__table__), missing)
        started, started_cpu = time.perf_counter(), time.process_time()
        with profile.engine.begin() as connection:
            connection.execute(insert(Beneficiary.__table__), rows)
        return time.perf_counter() - started, time.process_time() - started_cpu
    finally:
        profile.close()


def known_ids(profile: Profile) -> set[uuid.UUID]:
    with profile.engine.connect() as connection:
        return set(connection.scalars(select(Beneficiary.__table__.c.id)))


def run_format(
    base: Path, fmt: str, sheet: import_sample.SampleSheet, args: argparse.Namespace
) -> None:
    writer = import_sample.write_xlsx if fmt == "xlsx" else import_sample.write_csv
    path = writer(base / f"caseload.{fmt}", sheet.rows)
    known_path = import_sample.write_csv(base / "known.csv", sheet.known)
    print(f"{fmt.upper()}: {len(sheet.rows):,} rows ({path.stat().st_size / 2**20:.1f} MiB), "
          f"{len(sheet.known):,} people already in the profile")  # fmt: skip
    free = import_worker.spare_core()
    modes = [("import" + (" with its reader process" if free else " (no core free: one process)"),
              False, free)]  # fmt: skip
    if args.in_process:  # the same import with and without its reader process
        modes = [("import with its reader process", False, True)]
        modes.append(("import in one process (no reader process)", False, False))
    if args.per_row:
        modes.append(("per-row ORM write (before)", True, False))
    spare_core = import_worker.spare_core
    for label, per_row, apart in modes:
        profile, ctx = new_profile(base / f"profile-{fmt}-{per_row}-{apart}")
        rows_apart = import_worker.MIN_ROWS
        try:
            import_beneficiaries(ctx, known_path, skip_invalid=True)
            before = known_ids(profile)
            import_worker.MIN_ROWS = rows_apart if apart else sys.maxsize
            import_worker.spare_core = lambda: True  # decided above
            run = import_file(ctx, path, per_row=per_row)
            rows, facilities = stored_rows(profile, before)
        finally:
            import_worker.MIN_ROWS, import_worker.spare_core = rows_apart, spare_core
            profile.close()
        load = os.getloadavg()[0]
        wall, cpu = ceiling(base / f"ceiling-{fmt}", rows, facilities)
        report = run.report
        print(f"  {label}: {run.seconds:.2f} s (CPU {run.cpu:.2f} s, of which the reader "
              f"process {run.reader_cpu:.2f} s), "
              f"{len(sheet.rows) / run.seconds:,.0f} rows/s of the file; "
              f"{report.created:,} created, {report.updated:,} updated, "
              f"{report.rejected:,} rejected, "
              f"{len(report.duplicates):,} likely duplicates")  # fmt: skip
        print(f"  ceiling (Core executemany of the {len(rows):,} stored rows): {wall:.2f} s "
              f"(CPU {cpu:.2f} s), {len(rows) / wall:,.0f} rows/s")  # fmt: skip
        print(f"  import / ceiling: {run.seconds / wall:.1f}x wall, {run.cpu / cpu:.1f}x CPU; "
              f"load average {load:.1f} ({os.cpu_count()} CPUs)")  # fmt: skip
        phases = ", ".join(
            f"{name} {report.phases[name]:.2f} ({report.phases[name + ':cpu']:.2f})"
            for name in PHASES
            if name in report.phases
        )
        print(f"  phases, wall (CPU) seconds: {phases}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--known", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--formats", nargs="+", choices=("xlsx", "csv"), default=["xlsx", "csv"])
    parser.add_argument("--per-row", action="store_true", help="also time the per-row write")
    parser.add_argument(
        "--in-process", action="store_true", help="also time the import without its reader process"
    )
    parser.add_argument("--out", type=Path, help="keep the files and profiles here")
    args = parser.parse_args()
    base = args.out or Path(tempfile.mkdtemp(prefix="passerelle-bench-import-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        sheet = import_sample.sample(args.rows, seed=args.seed, known=args.known)
        for fmt in args.formats:
            run_format(base, fmt, sheet, args)
    finally:
        if args.out is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
