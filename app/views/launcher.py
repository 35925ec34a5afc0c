"""Start the desktop application.

Until the full interface lands (desktop client issue), this opens a profile and shows
a summary window. With no profile yet, a demo profile is created so a newcomer sees
data at once; ``--demo`` uses a throwaway one deleted at exit.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from app.i18n import _
from app.models.enums import StaffRole
from app.paths import profiles_root
from app.services import owner, stats
from app.store.profile import Profile, is_profile

DEMO_PASSPHRASE = "demo-passerelle"
DEMO_BENEFICIARIES = 300


def open_or_create_demo(folder: Path) -> Profile:
    if is_profile(folder):
        return Profile.open(folder, DEMO_PASSPHRASE)
    from app.demo import fill_profile

    profile = Profile.create(folder, DEMO_PASSPHRASE)
    owner.setup_owner(profile.sessions, "Démonstration", StaffRole.SOCIAL_WORKER)
    fill_profile(profile, beneficiaries=DEMO_BENEFICIARIES)
    return profile


class SummaryWindow(QMainWindow):
    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.setWindowTitle("Passerelle")
        counts = stats.record_counts(owner.owner_context(profile.sessions))
        lines = [f"<h2>Passerelle</h2><p>{_('Profile')}: {profile.folder}</p><ul>"]
        lines += [f"<li>{count.table}: {count.live}</li>" for count in counts]
        lines.append("</ul>")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel("".join(lines)))
        self.setCentralWidget(body)


def run_gui(demo: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="passerelle-demo-") as scratch:
        folder = Path(scratch) / "demo" if demo else profiles_root() / "demo"
        with open_or_create_demo(folder) as profile:
            window = SummaryWindow(profile)
            window.resize(640, 560)
            window.show()
            return int(app.exec())
