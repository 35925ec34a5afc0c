"""``passerelle self-test``: the installation check, one line per check.

Unlike the other commands it takes no profile: it makes its own scratch one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from app import __version__
from app.i18n import _, ngettext


def add_parser(commands: Any) -> None:
    summary = _("check that this installation works (in a scratch profile, removed after)")
    commands.add_parser("self-test", help=summary, description=summary)


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()  # a check that hangs shows which one it is


def self_test(_args: argparse.Namespace) -> int:
    """OK/FAIL, name, seconds and detail per check; a non-zero exit on any failure."""
    from app.selftest import run_self_test

    _emit(_("Passerelle {version} self-test").format(version=__version__))
    count = failed = 0
    for result in run_self_test():
        count += 1
        failed += not result.ok
        status = "OK" if result.ok else "FAIL"
        _emit(f"{status:<4}  {result.name:<8} {result.seconds:6.2f} s  {result.detail}")
        if result.trace:
            sys.stderr.write(result.trace)
    if failed:
        _emit(
            ngettext(
                "Self-test failed: {failed} of {count} check.",
                "Self-test failed: {failed} of {count} checks.",
                count,
            ).format(failed=failed, count=count)
        )
        return 1
    _emit(
        ngettext(
            "Self-test passed: {count} check.", "Self-test passed: {count} checks.", count
        ).format(count=count)
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"self-test": self_test}
