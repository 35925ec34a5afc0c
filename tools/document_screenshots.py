"""Every page of the personal documents, in French and Arabic, as PNG in docs/screenshots.

A throwaway profile with a woman's case (phone, CIN, law reference inside Arabic text)
is printed to PDF and each page rendered with poppler's ``pdftoppm``:
``python tools/document_screenshots.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.models.enums import StaffRole  # noqa: E402
from app.reports import render_plan_summary  # noqa: E402
from app.reports.subject_access import render_subject_access  # noqa: E402
from app.services import owner, subject_access  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from tests.reports.test_documents import _case  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        profile = Profile.create(Path(folder) / "p", "screenshots only", KdfParams.fast_for_tests())
        owner.setup_owner(profile.sessions, "Amina Tazi", StaffRole.SUPERVISOR, "Prison locale")
        ctx = owner.owner_context(profile.sessions)
        case = _case(ctx, "F")
        access = subject_access.collect(ctx, case)
        for language in ("fr", "ar"):
            documents = {
                "plan": render_plan_summary(ctx, case, language),
                "access": render_subject_access(access, language),
            }
            for name, data in documents.items():
                pdf = Path(folder) / f"{name}-{language}.pdf"
                pdf.write_bytes(data)
                stem = OUT / f"document-{name}-{language}"
                subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(stem)], check=True)
        profile.close()


if __name__ == "__main__":
    main()
