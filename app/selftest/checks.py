"""The checks of the self-test that need no window system, in the order they run.

Each check returns a short detail for its line, or raises: the runner turns any
exception into a FAIL line. Later checks use what earlier ones built (the profile,
the record), kept on one :class:`Workbench`.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pypdfium2
from sqlalchemy import text

from app.i18n import LANGUAGES, _, ngettext, translations
from app.instruments import load_builtin
from app.reports.plan_summary import render_plan_summary
from app.services import beneficiaries, owner, plans, search
from app.services.context import ServiceContext
from app.services.goals import NEEDS_INSTRUMENT
from app.store.keys import KdfParams
from app.store.profile import Profile
from passerelle_core.enums import ResponsibleKind, StaffRole

PASSPHRASE = "self-test passphrase, thrown away"
# The profile is thrown away within seconds: a cheap key derivation is enough, and
# still goes through Argon2id like every real unlock.
KDF = KdfParams(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)
# A fictitious beneficiary, in Latin and Arabic script.
RECORD = {
    "last_name": "Essai",
    "first_name": "Passerelle",
    "last_name_ar": "تجربة",
    "first_name_ar": "إختبار",
    "cin": "ZZ999999",
    "birth_date": date(1990, 1, 1),
}
SEARCHES = ("essai pass", "اختبار", "ZZ999999")  # Latin prefix, Arabic (folded hamza), CIN
PDF_LANGUAGES = ("fr", "ar")
# Text each printed document must give back: Arabic is drawn as shaped glyphs, so its
# extraction proves the glyphs map back to the letters.
READ_BACK = {"fr": str(RECORD["cin"]), "ar": str(RECORD["last_name_ar"])}


class CheckFailed(Exception):
    """A check found the installation wrong (as opposed to crashing)."""


class Workbench:
    """The scratch profile and what the checks put in it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._profile: Profile | None = None
        self._ctx: ServiceContext | None = None
        self.beneficiary_id: uuid.UUID | None = None

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            raise CheckFailed(_("not run: the profile could not be created"))
        return self._profile

    @property
    def ctx(self) -> ServiceContext:
        if self._ctx is None:
            raise CheckFailed(_("not run: the profile could not be created"))
        return self._ctx

    @property
    def record_id(self) -> uuid.UUID:
        if self.beneficiary_id is None:
            raise CheckFailed(_("not run: the record could not be written"))
        return self.beneficiary_id

    def close(self) -> None:
        if self._profile is not None:
            self._profile.close()
            self._profile = None

    def check_profile(self) -> str:
        """Create an encrypted profile, lock it, unlock it and verify its integrity."""
        with Profile.create(self.folder, PASSPHRASE, KDF) as created:
            owner.setup_owner(created.sessions, "Self-test", StaffRole.SOCIAL_WORKER)
        self._profile = Profile.open(self.folder, PASSPHRASE)
        problems = self._profile.integrity_errors()
        if problems:
            raise CheckFailed(
                ngettext(
                    "{count} integrity problem", "{count} integrity problems", len(problems)
                ).format(count=len(problems))
            )
        self._ctx = owner.owner_context(self._profile.sessions)
        with self._profile.sessions() as session:
            version = session.execute(text("PRAGMA cipher_version")).scalar()
        if not version:
            raise CheckFailed(_("the database is not encrypted by SQLCipher"))
        return _("created, locked and unlocked; SQLCipher {version}").format(version=version)

    def check_record(self) -> str:
        """Write a beneficiary through the service layer and read it back."""
        ctx = self.ctx
        written = beneficiaries.register(ctx, RECORD)
        read = beneficiaries.get(ctx, written.id)
        for field, value in RECORD.items():
            if getattr(read, field) != value:
                raise CheckFailed(_("{field} was not read back as written").format(field=field))
        self.beneficiary_id = read.id
        return _("a beneficiary written and read back")

    def check_search(self) -> str:
        """Find the record by Latin name, Arabic name and CIN (full-text index)."""
        record_id = self.record_id
        for query in SEARCHES:
            hits = search.search(self.ctx, query)
            if [hit.beneficiary_id for hit in hits] != [record_id]:
                raise CheckFailed(_("the search for {query} did not find it").format(query=query))
        return _("found by Latin name, Arabic name and CIN")

    def check_pdf(self) -> str:
        """Print the record's plan summary in French and Arabic, and read its text back
        with PDFium (the engine of the application's preview)."""
        documents = render_sample_pdfs(self.ctx, self.record_id)
        for language, document in zip(PDF_LANGUAGES, documents, strict=True):
            if not document.startswith(b"%PDF-") or b"%%EOF" not in document[-64:]:
                raise CheckFailed(_("the document is not a complete PDF"))
            if READ_BACK[language] not in pdf_text(document):
                raise CheckFailed(
                    _("the text of the {language} document cannot be read back").format(
                        language=language
                    )
                )
        if b"NotoNaskhArabic" not in documents[-1]:
            raise CheckFailed(_("the Arabic font is not embedded"))
        size = sum(len(document) for document in documents) // 1024
        return _("plan summary in French and Arabic, {size} KB").format(size=size)


def render_sample_pdfs(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[bytes]:
    """The real plan summary of a small plan, in each language printed documents use."""
    instrument = load_builtin(NEEDS_INSTRUMENT)
    plan = plans.draft_plan(ctx, beneficiary_id, title="Self-test")
    goal = plans.add_goal(ctx, plan.id, domain_id=instrument.domains[0].id, wording="Self-test")
    plans.add_action(
        ctx, goal.id, description="Self-test", responsible_kind=ResponsibleKind.BENEFICIARY
    )
    return [render_plan_summary(ctx, beneficiary_id, language) for language in PDF_LANGUAGES]


def pdf_text(document: bytes) -> str:
    """The text of every page, as PDFium extracts it."""
    pdf = pypdfium2.PdfDocument(document)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def check_catalogs() -> str:
    """The compiled translations of every language but English (the message ids)."""
    missing = [
        language
        for language in LANGUAGES
        if language != "en" and translations(language).info().get("language") != language
    ]
    if missing:
        raise CheckFailed(
            _("no compiled catalog for {languages}").format(languages=", ".join(missing))
        )
    return _("French and Arabic messages")
