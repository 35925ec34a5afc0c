"""What an error is, told without its message: types and code locations only.

An exception's text may quote what the user typed or what the database refused (a
name, a CIN): it never reaches the log or the clipboard. The traceback's frames (file,
line, function) and the chain of exception types are enough for support to find a bug.
"""

from __future__ import annotations

import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from app import __version__
from app.diagnostics.log import log_file

ROOT = Path(__file__).resolve().parents[2]
MAX_FRAMES = 30


def kind(error: BaseException) -> str:
    """``module.ClassName`` of the error and of those it was raised from."""
    names = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        cls = type(current)
        names.append(f"{cls.__module__}.{cls.__qualname__}")
        current = current.__cause__ or current.__context__
    return " <- ".join(names)


def frames(tb: TracebackType | None) -> list[str]:
    """``path:line in function`` for each frame, paths relative to the installation."""
    lines = []
    for summary in traceback.extract_tb(tb)[-MAX_FRAMES:]:
        lines.append(f"{_short(summary.filename)}:{summary.lineno} in {summary.name}")
    return lines


def describe(error: BaseException, where: str = "") -> str:
    """One log entry: where it happened, the types, the frames; never the message."""
    head = f"{where}: " if where else ""
    body = "\n    ".join(frames(error.__traceback__))
    return f"{head}{kind(error)}\n    {body}" if body else f"{head}{kind(error)}"


def diagnostic(tail_lines: int = 40) -> str:
    """What the about box copies for support: versions, platform, the log's last lines."""
    lines = [
        f"Passerelle {__version__}",
        f"Python {platform.python_version()} on {platform.platform()}",
        f"log: {_home_hidden(log_file())}",
    ]
    try:
        from PySide6 import __version__ as qt_version

        lines.append(f"PySide6 {qt_version}")
    except ImportError:  # pragma: no cover - the command line has no Qt
        pass
    path = log_file()
    if path.exists():
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        lines.append("--- last log lines ---")
        lines.extend(text[-tail_lines:])
    return "\n".join(lines)


def _short(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        prefix = sys.prefix
        return filename.replace(prefix, "<python>") if filename.startswith(prefix) else path.name


def _home_hidden(path: Path) -> str:
    """The home folder is named after the person: ``~`` instead."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)
