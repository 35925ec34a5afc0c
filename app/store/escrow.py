"""Escrow cryptography (moved to passerelle_core.escrow, issue 14), translated for the laptop.

The core's names are re-exported for the laptop's modules. ``open_recovery_file`` turns
the core's untranslated ``RecoveryFileError`` into the desktop's ``RecoveryFailed``.
"""

from __future__ import annotations

import uuid

from app.i18n import _
from app.store.errors import RecoveryFailed
from passerelle_core import escrow as _core
from passerelle_core.escrow import *  # noqa: F403


def open_recovery_file(raw: bytes, code: str) -> tuple[uuid.UUID, bytes]:  # type: ignore[no-redef]
    """The device id and database key in a recovery file; RecoveryFailed otherwise."""
    try:
        return _core.open_recovery_file(raw, code)
    except _core.RecoveryFileError as error:
        raise RecoveryFailed(_(error.reason)) from None
