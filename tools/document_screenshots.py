"""Every page of the printed documents, in French and Arabic, as PNG in docs/screenshots.

A throwaway profile with a woman's case (phone, CIN, law reference inside Arabic text),
a referral of hers, and demo data for the activity report is printed to PDF and each
page rendered with poppler's ``pdftoppm``: ``python tools/document_screenshots.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datetime import date  # noqa: E402

from app.demo import DEMO_TODAY, fill_profile  # noqa: E402
from app.indicators import Period  # noqa: E402
from app.reports import render_activity_report, render_plan_summary  # noqa: E402
from app.reports.referral_slip import render_referral_slip  # noqa: E402
from app.reports.subject_access import render_subject_access  # noqa: E402
from app.services import consent, owner, partners, referrals, subject_access  # noqa: E402
from app.services.context import ServiceContext  # noqa: E402
from app.store.keys import KdfParams  # noqa: E402
from app.store.profile import Profile  # noqa: E402
from passerelle_core.enums import ConsentPurpose, PartnerKind, StaffRole  # noqa: E402
from tests.conftest import PASSPHRASE  # noqa: E402
from tests.reports.test_documents import ARABIC_WORDING, _case  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
README_PAGES = {("plan", "fr"), ("plan", "ar"), ("activity", "ar")}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        profile = Profile.create(Path(folder) / "p", PASSPHRASE, KdfParams.fast_for_tests())
        owner.setup_owner(profile.sessions, "Amina Tazi", StaffRole.SUPERVISOR, "Prison locale")
        fill_profile(profile, 235, seed=11)
        ctx = owner.owner_context(profile.sessions)
        ctx = ServiceContext(profile.sessions, ctx.actor, today=lambda: DEMO_TODAY)
        case = _case(ctx, "F")
        access = subject_access.collect(ctx, case)
        amal = partners.create_partner(
            ctx, {"name": "Association Amal", "name_ar": "جمعية الأمل", "kind": PartnerKind.NGO}
        )
        consent.record(ctx, case, ConsentPurpose.PARTNER_SHARING, partner_id=amal.id)
        referral = referrals.refer(ctx, case, amal.id, reason=ARABIC_WORDING)
        quarter = Period(date(2026, 7, 1), date(2026, 9, 30))
        for language in ("fr", "ar"):
            documents = {
                "plan": render_plan_summary(ctx, case, language),
                "access": render_subject_access(access, language),
                "slip": render_referral_slip(ctx, referral.id, language),
                "activity": render_activity_report(ctx, quarter, None, language),
            }
            for name, data in documents.items():
                pdf = Path(folder) / f"{name}-{language}.pdf"
                pdf.write_bytes(data)
                stem = OUT / f"document-{name}-{language}"
                subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(stem)], check=True)
                if (name, language) in README_PAGES:  # the first page shown in README.md
                    first = OUT / f"report-{name}-{language}"
                    command = ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1"]
                    subprocess.run([*command, str(pdf), str(first)], check=True)
        profile.close()


if __name__ == "__main__":
    main()
