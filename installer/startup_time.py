"""Time the bundled application's start: from launch to its main window painted.

    .venv/bin/python installer/startup_time.py [--bundle dist/passerelle/passerelle]
        [--runs 5] [--drop-caches] [--platform offscreen]

Each run launches the bundle with ``--exit-when-shown`` (it prints "window shown" when
the main window is first painted, then closes) in a scratch HOME, and times launch ->
that line. Two figures:

- first start: no profile yet, so the demo profile is created (400 beneficiaries,
  Argon2id calibration) and the worklist is shown;
- later starts: the profile exists, so the unlock screen is shown (every morning's start).

``--drop-caches`` (root, Linux) empties the page cache before each run: a cold start
from disk rather than from memory. Prints the median, min and max in seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = "window shown"


def drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def launch(bundle: Path, home: Path, platform: str) -> float:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "QT_QPA_PLATFORM": platform,
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(bundle), "--exit-when-shown"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == SHOWN:
            elapsed = time.perf_counter() - start
            break
    else:
        raise SystemExit(f"the bundle exited with {process.wait()} before showing a window")
    if process.wait(timeout=120) != 0:
        raise SystemExit(f"the bundle exited with {process.returncode}")
    return elapsed


def summary(label: str, values: list[float]) -> str:
    return (
        f"{label:<12} median {statistics.median(values):.2f} s "
        f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist/passerelle/passerelle")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--drop-caches", action="store_true")
    parser.add_argument("--platform", default="offscreen")
    args = parser.parse_args()
    first, later = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="passerelle-start-") as scratch:
            home = Path(scratch)
            for times in (first, later):
                if args.drop_caches:
                    drop_caches()
                times.append(launch(args.bundle, home, args.platform))
    sys.stdout.write(summary("first start", first) + "\n")
    sys.stdout.write(summary("later start", later) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
