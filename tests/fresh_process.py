"""What a fresh interpreter has imported after some code: the tests that keep heavy
libraries (report writers, alembic) off the paths that do not need them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules_loaded(code: str, watched: Iterable[str], *, offscreen: bool = True) -> list[str]:
    """The ``watched`` modules present in ``sys.modules`` once ``code`` has run in a new
    Python process started at the repository root, sorted."""
    names = sorted(watched)
    script = f"{code}\nimport sys\nprint('\\n'.join(m for m in {names!r} if m in sys.modules))"
    env = {"PATH": "/usr/bin:/bin"}
    if offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout.split()
