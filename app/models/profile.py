"""Facts about this laptop's profile itself; never synced."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ProfileSetting(Base):
    """Key/value facts of the local profile (owner staff id, device id, language...)."""

    __tablename__ = "profile_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
