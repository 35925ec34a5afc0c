"""The recovery key this laptop escrows its database key to, pinned from outside the server.

The server tells laptops which public key to seal for; a server that was impersonated,
restored or tampered with could name an attacker's key. So the laptop seals only for
the key whose fingerprint (``key_id``) it holds in its own encrypted database, set from
a source the server does not control:

- the installer's configuration: ``PASSERELLE_RECOVERY_KEY`` (a fingerprint, or the
  path of the public key file the administration distributes), pinned at first use;
- ``passerelle recovery-key pin --fingerprint FP`` (typed by the administrator) or
  ``--public-key-file F``.

Replacing a pinned key is an explicit act (``--replace``) written to the access log.
Without a pin the laptop escrows nothing.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from app.i18n import _
from app.models import AccessAction, ProfileSetting
from app.services import audit, owner
from app.services.errors import ServiceError
from app.store.escrow import EscrowError, key_id, normalise_public_key
from app.store.profile import Profile

logger = logging.getLogger(__name__)
PIN_KEY = "recovery_key_pin"
INSTALLER_ENV = "PASSERELLE_RECOVERY_KEY"
FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")
MAX_KEY_FILE_BYTES = 16 * 1024


class PinError(ServiceError):
    """A fingerprint or key that cannot be pinned, or a pin that would be replaced silently."""


def fingerprint(text: str) -> str:
    """A typed fingerprint (spaces, colons and dashes ignored) in its stored form."""
    cleaned = re.sub(r"[\s:-]", "", text).lower()
    if not FINGERPRINT.match(cleaned):
        raise PinError(_("A recovery key fingerprint is 32 hexadecimal characters."))
    return cleaned


def fingerprint_of_file(path: Path) -> str:
    """The fingerprint of a public key file (base64 or PEM)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
        return key_id(normalise_public_key(raw.decode("ascii")))
    except (OSError, UnicodeDecodeError, EscrowError):
        raise PinError(_("This file is not a recovery public key.")) from None


def pinned(profile: Profile) -> str | None:
    with profile.sessions() as session:
        setting = session.get(ProfileSetting, PIN_KEY)
        return setting.value if setting is not None else None


def pin(profile: Profile, value: str, *, replace: bool = False) -> bool:
    """Pin ``value`` (a fingerprint); True if the pin changed. Logged in the access log."""
    value = fingerprint(value)
    current = pinned(profile)
    if current == value:
        return False
    if current is not None and not replace:
        raise PinError(
            _("This laptop already trusts another recovery key: replacing it needs --replace.")
        )
    ctx = owner.owner_context(profile.sessions)
    with ctx.transaction() as session:
        setting = session.get(ProfileSetting, PIN_KEY)
        if setting is None:
            session.add(ProfileSetting(key=PIN_KEY, value=value))
        else:
            setting.value = value
        audit.record(session, AccessAction.PIN_RECOVERY_KEY, "recovery_key")
    logger.info("recovery key pinned: %s", value)
    return True


def installer_pin() -> str | None:
    """The fingerprint the installer's configuration names, if any."""
    configured = os.environ.get(INSTALLER_ENV, "").strip()
    if not configured:
        return None
    try:
        return fingerprint(configured)
    except PinError:
        return fingerprint_of_file(Path(configured))


def effective_pin(profile: Profile) -> str | None:
    """The pinned fingerprint; pinned now from the installer's configuration if unset."""
    current = pinned(profile)
    if current is not None:
        return current
    configured = installer_pin()
    if configured is None:
        return None
    pin(profile, configured)
    return configured
