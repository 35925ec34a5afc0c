"""Benchmark of duplicate matching (a script: it prints figures, it is never a test).

    .venv/bin/python bench/duplicates.py [--sizes 1000 10000 50000] [--out DIR] [--reuse]

For each size, a demo profile (``app.demo``, seed 0, about 1% re-registrations of an
earlier person under another spelling) is built with a cheap KDF (unlocking is not
measured), then:

- **match all**: ``find_all_pairs`` over the whole caseload (median of 3), the pairs
  proposed at the default threshold, and how many of the demo's re-registrations they
  find; baseline in the same run: the plain scan of the beneficiary table reading the
  same columns (what any matching must at least do);
- **registration check**: ``find_matches`` for 200 identities drawn from the caseload
  (half of them respelt as a re-registration would be), p50/p95; baseline: a lookup of
  one CIN through its index.

Targets (issue 16): the 50,000 caseload matched in < 10 s; the check < 50 ms p95.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app.demo import fill_profile  # noqa: E402
from app.duplicates import Candidate, Match, find_all_pairs, find_matches  # noqa: E402
from app.duplicates.matching import _live  # noqa: E402
from app.models import Beneficiary  # noqa: E402
from app.services import owner  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402

PASSPHRASE = "benchmark passphrase"
TODAY = date(2026, 11, 1)
CHECKS = 200


def build(folder: Path, count: int) -> Profile:
    started = time.perf_counter()
    profile = Profile.create(folder, PASSPHRASE, KdfParams.fast_for_tests())
    owner.setup_owner(profile.sessions, "Bench User", StaffRole.SUPERVISOR, "Prison locale Oukacha")
    fill_profile(profile, beneficiaries=count, seed=0, today=TODAY)
    print(f"  profile built in {time.perf_counter() - started:.1f} s")
    return profile


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def respelt(row: Beneficiary, rng: random.Random) -> Candidate:
    """The person as a second counsellor might type them: other spelling, no CIN."""
    last = row.last_name
    last = last[3:] if last.startswith("El ") else "El " + last
    first = row.first_name.replace("ou", "u").replace("mm", "m")
    birth = row.birth_date if rng.random() < 0.8 else None
    return Candidate(first, last, None, row.last_name_ar, birth, None, None, row.sex)


def measure(profile: Profile) -> None:
    with profile.sessions() as session:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            rows = session.execute(_live()).all()
            timings.append(time.perf_counter() - started)
        scan = statistics.median(timings)
        timings, cpu = [], []
        pairs = []
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            pairs = find_all_pairs(session)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        match_all, match_all_cpu = statistics.median(timings), statistics.median(cpu)
        cins = [cin for (cin,) in session.execute(select(Beneficiary.cin).limit(CHECKS)) if cin]
        rng = random.Random(0)
        people = session.scalars(select(Beneficiary)).all()
        sample = rng.sample(people, min(CHECKS, len(people)))
        checks, checks_cpu = [], []
        for index, person in enumerate(sample):
            if index % 2:
                candidate = respelt(person, rng)
            else:
                candidate = Candidate(
                    person.first_name, person.last_name, person.first_name_ar,
                    person.last_name_ar, person.birth_date, None, None, person.sex,
                )  # fmt: skip
            started, started_cpu = time.perf_counter(), time.process_time()
            find_matches(session, candidate)
            checks.append((time.perf_counter() - started) * 1000)
            checks_cpu.append((time.process_time() - started_cpu) * 1000)
        lookups = []
        for cin in cins:
            started = time.perf_counter()
            session.execute(select(Beneficiary.id).where(Beneficiary.cin == cin)).all()
            lookups.append((time.perf_counter() - started) * 1000)
    print(f"  scan of {len(rows):,} identities (baseline): {scan:.2f} s")
    print(
        f"  match all: {match_all:.2f} s (CPU {match_all_cpu:.2f} s), "
        f"{len(pairs):,} pairs proposed, {found_again(pairs, people)} with a file without a CIN"
    )
    print(
        f"  registration check: p50 {percentile(checks, 50):.1f} ms, "
        f"p95 {percentile(checks, 95):.1f} ms (CPU p95 {percentile(checks_cpu, 95):.1f} ms); "
        f"CIN lookup p95 {percentile(lookups, 95):.2f} ms"
    )
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")


def found_again(pairs: list[Match], people: list[Beneficiary]) -> int:
    """Pairs with one file registered without a CIN (how the demo's re-registrations are)."""
    without_cin = {person.id for person in people if person.cin is None}
    return sum(1 for pair in pairs if {pair.first_id, pair.second_id} & without_cin)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--out", type=Path, help="keep the profiles here")
    parser.add_argument("--reuse", action="store_true", help="reuse profiles in --out")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="passerelle-bench-dup-"))
    base = args.out or scratch
    try:
        for size in args.sizes:
            print(f"{size:,} beneficiaries")
            folder = base / f"profile-{size}"
            if args.reuse and folder.exists():
                profile = Profile.open(folder, PASSPHRASE)
            else:
                shutil.rmtree(folder, ignore_errors=True)
                profile = build(folder, size)
            try:
                measure(profile)
            finally:
                profile.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
