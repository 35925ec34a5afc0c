"""Records entered by mistake are voided, never deleted.

A session, assessment or referral recorded in error stays in the case history with
when and why it was voided (a colleague may have read it, an export may cite it), but
it no longer counts: indicators, worklists and "latest" look-ups skip it. Voiding
travels by sync like any other field.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column


class VoidableMixin:
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    void_reason: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
