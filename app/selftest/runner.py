"""Run the self-test's checks one after the other, timing each, in a scratch folder.

Every check runs even when an earlier one failed (its line then says what it needed),
so one run shows everything that is wrong. The scratch folder is removed in all cases,
and the removal is itself a check.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.selftest.checks import CheckFailed, Workbench, check_catalogs


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    seconds: float
    detail: str
    trace: str | None = None
    """The traceback of an unexpected error, for a bug report."""


def run_self_test(*, qt: bool = True) -> Iterator[CheckResult]:
    """Each check's result as soon as it is known; ``qt=False`` leaves Qt out."""
    scratch = Path(tempfile.mkdtemp(prefix="passerelle-self-test-"))
    bench = Workbench(scratch / "profile")
    try:
        yield _run("profile", bench.check_profile)
        yield _run("record", bench.check_record)
        yield _run("search", bench.check_search)
        yield _run("pdf", bench.check_pdf)
    finally:
        try:
            bench.close()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    yield _run("cleanup", lambda: _check_removed(scratch))
    yield _run("catalogs", check_catalogs)
    if qt:
        from app.selftest.qt import check_qt

        yield _run("qt", check_qt)


def _run(name: str, check: Callable[[], str]) -> CheckResult:
    start = time.perf_counter()
    try:
        detail = check()
    except CheckFailed as failure:
        return CheckResult(name, False, time.perf_counter() - start, str(failure))
    except Exception as error:  # noqa: BLE001 - reported as this check's failure
        detail = f"{type(error).__name__}: {error}"
        trace = traceback.format_exc()
        return CheckResult(name, False, time.perf_counter() - start, detail, trace)
    return CheckResult(name, True, time.perf_counter() - start, detail)


def _check_removed(scratch: Path) -> str:
    if scratch.exists():
        raise CheckFailed(_("the scratch folder {path} is still there").format(path=scratch))
    return _("the scratch profile and its folder were removed")
