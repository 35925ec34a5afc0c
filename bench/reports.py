"""Benchmark of reports and exports at caseload scale (a script: it prints figures).

    .venv/bin/python bench/reports.py [--out DIR] [--reuse] [--beneficiaries 50000]

On a profile of 50,000 demo beneficiaries (``app.demo``, seed 0, the same profile as
``bench/store.py``: ``--out DIR --reuse`` measures the ``DIR/encrypted`` profile that
``bench/store.py --out DIR`` kept), it times, each beside a baseline from the same run:

1. the plan summary of one beneficiary, French and Arabic (target: median < 200 ms);
   baseline: reading the data it prints (``app.reports.plan_data.load``);
2. the activity report of a month for the whole profile (target < 5 s); baselines: the
   one SQL count of the caseload followed that month (the cheapest full pass there is)
   and the report's figures alone (``compute`` and the sessions per month);
3. the export of the anonymised case list, CSV and XLSX (target < 10 s); baseline: the
   same query's raw rows dumped with a plain ``csv.writer`` (no labels, no streaming).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402
from store import PASSPHRASE, machine, versions, workspace  # noqa: E402

from app.demo import DEMO_TODAY, fill_profile  # noqa: E402
from app.indicators import Figure, Period, Scope, compute, monthly_counts  # noqa: E402
from app.indicators.figures import followed  # noqa: E402
from app.models import ActionPlan, StaffMember  # noqa: E402
from app.reports import (  # noqa: E402
    ExportFormat,
    case_list,
    plan_data,
    render_activity_report,
    render_plan_summary,
    write_case_list,
)
from app.services.context import Actor, ServiceContext  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402

MONTH = Period.month(DEMO_TODAY - timedelta(days=1))
"""The last whole month of the demo data (October 2026)."""
TARGET_PLAN_MS = 200.0
TARGET_ACTIVITY_S = 5.0
TARGET_EXPORT_S = 10.0


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def build(folder: Path, count: int) -> None:
    """The same profile as bench/store.py builds (calibrated KDF, seed 0), nothing else."""
    print(f"\nGenerating {count:,} demo beneficiaries in {folder} ...")
    started = time.perf_counter()
    profile = Profile.create(folder, PASSPHRASE, KdfParams.calibrated())
    summary = fill_profile(profile, count, seed=0)
    profile.close()
    print(f"  {summary} in {time.perf_counter() - started:.1f} s")


def context(profile: Profile) -> ServiceContext:
    """A supervisor of the demo organisation; "today" is the demo's (its data ends there)."""
    with profile.sessions() as session:
        supervisor = session.scalars(
            select(StaffMember)
            .where(StaffMember.role == StaffRole.SUPERVISOR)
            .order_by(StaffMember.full_name)
        ).first()
    assert supervisor is not None
    actor = Actor(supervisor.id, supervisor.role, supervisor.team_id)
    return ServiceContext(profile.sessions, actor, today=lambda: DEMO_TODAY)


def plan_summaries(ctx: ServiceContext, samples: int) -> None:
    with ctx.reading() as session:
        ids = list(session.scalars(select(ActionPlan.beneficiary_id).distinct()))
    chosen: list[uuid.UUID] = random.Random(0).sample(ids, min(samples, len(ids)))
    print(f"\nPlan summary ({len(chosen)} beneficiaries with a plan, each in French and Arabic)")
    render_plan_summary(ctx, chosen[0], "fr")  # fonts loaded once per process
    loads, renders = [], {"fr": [], "ar": []}
    for beneficiary in chosen:
        loads.append(timed(lambda b=beneficiary: plan_data.load(ctx, b)) * 1000)
        for language, samples_ms in renders.items():
            took = timed(lambda b=beneficiary, lang=language: render_plan_summary(ctx, b, lang))
            samples_ms.append(took * 1000)
    load = statistics.median(loads)
    print(f"  baseline: reading its data  median {load:6.1f} ms")
    for language, samples_ms in renders.items():
        median = statistics.median(samples_ms)
        p95 = statistics.quantiles(samples_ms, n=20)[18]
        print(
            f"  {language}: whole PDF            median {median:6.1f} ms  p95 {p95:6.1f} ms  "
            f"ratio {median / load:5.1f}  target < {TARGET_PLAN_MS:.0f} ms: "
            f"{verdict(median < TARGET_PLAN_MS)}"
        )


def activity(ctx: ServiceContext, period: Period, runs: int) -> None:
    print(f"\nActivity report, whole profile, {period.start} to {period.end} ({runs} runs)")
    count = select(func.count()).select_from(followed(period, Scope()).subquery())
    with ctx.reading() as session:
        baseline = statistics.median(timed(lambda: session.scalar(count)) for _run in range(3))
    print(f"  baseline: one SQL count of the caseload followed   {baseline * 1000:7.0f} ms")

    def figures() -> None:
        compute(ctx, period)
        monthly_counts(ctx, Figure.SESSIONS, period.end)

    sql = statistics.median(timed(figures) for _run in range(runs))
    print(f"  its figures alone (every indicator's SQL)        {sql:7.2f} s")
    for language in ("fr", "ar"):
        times = [
            timed(lambda lang=language: render_activity_report(ctx, period, None, lang))
            for _run in range(runs)
        ]
        median = statistics.median(times)
        print(
            f"  {language}: whole PDF  median {median:5.2f} s  (runs: "
            f"{', '.join(f'{t:.2f}' for t in times)})  {median / sql:4.2f} x its figures, "
            f"{median / baseline:4.0f} x the count  target < {TARGET_ACTIVITY_S:.0f} s: "
            f"{verdict(median < TARGET_ACTIVITY_S)}"
        )


def exports(ctx: ServiceContext, folder: Path) -> None:
    print("\nAnonymised case list, whole profile, all dates")
    query = case_list._query(None, Scope())  # the export's own query, rows as they come

    def raw_dump() -> int:
        with ctx.reading() as session, open(folder / "raw.csv", "w", newline="") as file:
            rows = session.connection().execute(query)
            writer = csv.writer(file)
            written = 0
            for row in rows:
                writer.writerow(row)
                written += 1
            return written

    baseline = timed(raw_dump)
    print(f"  baseline: same query, raw rows, plain csv.writer   {baseline:6.2f} s")
    for export_format in ExportFormat:
        out = folder / f"cases.{export_format.value}"
        started = time.perf_counter()
        written = write_case_list(ctx, out, export_format)
        took = time.perf_counter() - started
        size = out.stat().st_size / 1024 / 1024
        print(
            f"  {export_format.value:4}: {written.rows:,} rows, {size:5.1f} MiB  {took:6.2f} s  "
            f"ratio {took / baseline:4.2f}  target < {TARGET_EXPORT_S:.0f} s: "
            f"{verdict(took < TARGET_EXPORT_S)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--beneficiaries", type=int, default=50_000)
    parser.add_argument("--out", help="keep the profile in DIR/encrypted (default: temporary)")
    parser.add_argument("--reuse", action="store_true", help="measure DIR/encrypted as it is")
    parser.add_argument("--plans", type=int, default=50, help="plan summaries to time")
    parser.add_argument("--runs", type=int, default=3, help="activity reports per language")
    args = parser.parse_args(argv)
    if args.reuse and not args.out:
        parser.error("--reuse needs --out")
    print(f"Machine: {machine()}")
    print(f"Versions: {versions()}")
    with workspace(args.out) as folder:
        encrypted = folder / "encrypted"
        if args.reuse:
            if not encrypted.exists():
                sys.exit(f"--reuse: no profile in {encrypted}")
            print(f"(reusing the profile in {encrypted})")
        elif encrypted.exists():
            sys.exit(f"{encrypted} exists: use an empty --out folder, or --reuse")
        else:
            build(encrypted, args.beneficiaries)
        profile = Profile.open(encrypted, PASSPHRASE)
        try:
            ctx = context(profile)
            plan_summaries(ctx, args.plans)
            activity(ctx, MONTH, args.runs)
            exports(ctx, folder)
        finally:
            profile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
