"""`passerelle` starts the application through the command line's parser: building it
loads no report library (reportlab, openpyxl, icalendar: ~36 MiB the application does
not need until something is printed or exported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_parser_loads_no_report_library() -> None:
    code = (
        "import sys; import app.cli; from app.cli.parser import build_parser; build_parser(); "
        "print(sorted(m for m in ('reportlab', 'openpyxl', 'icalendar') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "[]"
