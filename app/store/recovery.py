"""Recovering a profile whose passphrase was forgotten, with an administrator's file.

The recovery file (see :mod:`app.store.escrow`) gives back the database key. It is
checked against the database itself (a key that does not decrypt it is refused), and
against the device id the laptop holds, then the database is re-encrypted under a
fresh key wrapped with the new passphrase: the file and its code, which passed
through an administrator's hands, open nothing afterwards. The next sync escrows the
new key.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from app.i18n import _
from app.models import SyncStateEntry
from app.store.errors import CorruptProfile, RecoveryFailed
from app.store.escrow import open_recovery_file
from app.store.header import read_header
from app.store.profile import Profile, check_passphrase_strength

DEVICE_ID_STATE = "device_id"  # app.sync.state.DEVICE_ID (the store does not import sync)


def recover(folder: Path, recovery_file: bytes, code: str, new_passphrase: str) -> None:
    """Open ``folder`` with the recovery file, then re-key it under ``new_passphrase``."""
    check_passphrase_strength(new_passphrase)
    folder = Path(folder)
    header = read_header(folder)
    device_id, key = open_recovery_file(recovery_file, code)
    try:
        profile = Profile.open_with_key(folder, header, key)
    except CorruptProfile:
        raise RecoveryFailed(_("this recovery file is for another laptop or profile")) from None
    with profile:
        if _device_id(profile) not in (None, device_id):
            raise RecoveryFailed(_("this recovery file is for another laptop or profile"))
        profile.rekey(new_passphrase)


def _device_id(profile: Profile) -> uuid.UUID | None:
    with profile.sessions.begin() as session:
        value = session.scalar(
            select(SyncStateEntry.value).where(SyncStateEntry.key == DEVICE_ID_STATE)
        )
    return uuid.UUID(value) if value else None
