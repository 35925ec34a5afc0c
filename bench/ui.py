"""Benchmark of the desktop client at caseload scale (a script: it prints figures).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py [--out DIR] [--reuse]

With a 50,000-beneficiary profile (demo generator, real calibrated KDF) it measures:
unlock to first caseload paint (the KDF reported apart), keystroke-to-results of the
caseload search (p50/p95 over realistic queries), opening a case file, and the resident
memory of the process. Targets (issue 3): < 0.5 s after the KDF, < 50 ms p95, < 150 ms,
< 300 MB. The baseline measured in the same run is the bare service call behind each
figure (what the widgets add on top of the database).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.demo import fill_profile  # noqa: E402
from app.services import beneficiaries, caseload, owner  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from app.views.casefile import CaseFileView  # noqa: E402
from app.views.caseload import CaseloadPage  # noqa: E402
from app.views.language import apply_language  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from passerelle_core.enums import StaffRole  # noqa: E402

PASSPHRASE = "benchmark passphrase"


class PaintProbe(QObject):
    """Records the time of the first paint of a widget after ``arm``."""

    def __init__(self) -> None:
        super().__init__()
        self.painted_at: float | None = None

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return False


def wait_until(condition: object, timeout_s: float = 30.0) -> None:
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met")
        QTimer.singleShot(1, loop.quit)
        loop.exec()


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def build(folder: Path, count: int) -> None:
    started = time.perf_counter()
    profile = Profile.create(folder, PASSPHRASE)
    owner.setup_owner(profile.sessions, "Bench User", StaffRole.SUPERVISOR, "Prison locale Oukacha")
    fill_profile(profile, beneficiaries=count, seed=0, today=date.today())
    profile.close()
    print(f"profile built in {time.perf_counter() - started:.1f} s ({count:,} beneficiaries)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beneficiaries", type=int, default=50_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="passerelle-bench-ui-"))
    folder = (args.out or scratch) / "profile"
    try:
        if args.build_only:
            build(folder, args.beneficiaries)
            return 0
        if not (args.reuse and folder.exists()):
            shutil.rmtree(folder, ignore_errors=True)
            # Built in a child process, so the memory figure is that of a fresh client.
            command = [
                sys.executable,
                __file__,
                "--build-only",
                "--out",
                str(folder.parent),
                "--beneficiaries",
                str(args.beneficiaries),
            ]
            subprocess.run(command, check=True)
        return measure(folder, scratch, args.queries)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(folder: Path, scratch: Path, query_count: int) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_language(app, "fr")
    print(f"RSS before unlock: {rss_mib():.0f} MiB")

    profile = Profile.open(folder, PASSPHRASE)
    after_kdf = time.perf_counter() - profile.timings.open_seconds
    window = MainWindow(Settings(), scratch, scratch / "settings.json")
    window.resize(1280, 800)
    window.show()
    window.open_profile(profile)
    assert window.workspace is not None
    page = window.workspace.page("caseload")
    assert isinstance(page, CaseloadPage)
    probe = PaintProbe()
    page.table.viewport().installEventFilter(probe)
    window.workspace.show_page("caseload")
    wait_until(lambda: page.model.rowCount() > 0 and probe.painted_at is not None)
    assert probe.painted_at is not None
    page.apply_preset("everyone")  # search all 50,000, not the bench user's own cases
    wait_until(lambda: not page.model.busy)
    first_paint = probe.painted_at - after_kdf
    print(
        f"unlock: KDF {profile.timings.kdf_seconds * 1000:.0f} ms, "
        f"open {profile.timings.open_seconds * 1000:.0f} ms"
    )
    print(
        f"unlock to first caseload paint (after the KDF): {first_paint * 1000:.0f} ms "
        f"(target < 500 ms)"
    )

    ctx = window.workspace.state.ctx
    rows = caseload.page(
        ctx, caseload.CaseloadFilter(), sort="name", descending=False, offset=0, limit=5000
    )
    rng = random.Random(0)
    queries = []
    for row in rng.sample(rows, query_count):
        choice = rng.randrange(3)
        if choice == 0:
            queries.append(row.last_name.split()[-1][: rng.randint(3, 6)])
        elif choice == 1 and row.last_name_ar:
            queries.append(row.last_name_ar.split()[-1][:4])
        else:
            queries.append((row.cin or row.last_name)[:5])
    widget_ms: list[float] = []
    model_ms: list[float] = []
    service_ms: list[float] = []
    loads: list[float] = []
    shown = PaintProbe()  # the results on screen: the table, or the "no match" page
    page.table.viewport().installEventFilter(shown)
    page.no_match.installEventFilter(shown)

    def count_load(_total: int) -> None:
        loads.append(time.perf_counter())
        shown.painted_at = None  # the next paint shows these rows

    page.model.loaded.connect(count_load)
    typos = [query[:2] + query[3:] for query in queries if len(query) >= 5][:20]
    queries += typos  # mistyped words reach the typo-tolerant tier
    for query in queries:
        page.search.clear()
        page.apply_filter()
        # The person types on a screen that shows the previous results, painted.
        wait_until(lambda: not page.model.busy and shown.painted_at is not None)
        loads.clear()
        started = time.perf_counter()
        page.search.setText(query)  # the keystroke that completes the query
        wait_until(lambda: bool(loads) and shown.painted_at is not None)
        assert shown.painted_at is not None
        model_ms.append((loads[0] - started) * 1000)
        widget_ms.append((shown.painted_at - started) * 1000)
        started = time.perf_counter()  # the same service calls as the model's, bare
        request = caseload.CaseloadFilter(query=query)
        first = caseload.page(ctx, request, sort="name", descending=False, offset=0, limit=200)
        if len(first) == 200:
            caseload.count(ctx, request)
        service_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"keystroke to results painted ({len(queries)} queries): "
        f"p50 {statistics.median(widget_ms):.1f} ms, p95 {percentile(widget_ms, 95):.1f} ms "
        f"(target < 50 ms); rows in the model p50 {statistics.median(model_ms):.1f}, "
        f"p95 {percentile(model_ms, 95):.1f} ms; bare service p50 "
        f"{statistics.median(service_ms):.1f}, p95 {percentile(service_ms, 95):.1f} ms; "
        f"ratio p95 {percentile(widget_ms, 95) / percentile(service_ms, 95):.2f}"
    )

    open_ms, read_ms = [], []
    for row in rng.sample(rows, 20):
        started = time.perf_counter()
        view = CaseFileView(window.workspace.state, row.beneficiary_id)
        window.workspace.case_tabs.addTab(view, view.title())
        window.workspace.case_tabs.setCurrentWidget(view)
        window.workspace.show_page("cases")
        view.repaint()
        open_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        beneficiaries.get(ctx, row.beneficiary_id)
        read_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"open a case file (20 cases): p50 {statistics.median(open_ms):.0f} ms, "
        f"p95 {percentile(open_ms, 95):.0f} ms, max {max(open_ms):.0f} ms (target < 150 ms); "
        f"bare read of the beneficiary p50 {statistics.median(read_ms):.1f} ms"
    )
    print(
        f"resident memory with caseload and 20 case files open: {rss_mib():.0f} MiB "
        f"(target < 300 MB)"
    )
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
