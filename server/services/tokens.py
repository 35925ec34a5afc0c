"""Rotating a device's bearer token.

The new token is returned once and stored hashed; the token it replaces stays valid
until the new one is first used (``devices.authenticate`` then forgets it). A laptop
whose rotation reply was lost keeps working with its old token and simply rotates
again; a thief holding an old token loses it as soon as the laptop has rotated.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from server.core.db import write_transaction
from server.core.tables import Device
from server.services.devices import Caller, hash_token
from server.services.errors import AuthError


def rotate_token(session: Session, caller: Caller, presented: str) -> str:
    token = secrets.token_urlsafe(32)
    presented_hash = hash_token(presented)
    with write_transaction(session):
        device = session.get(Device, caller.device_id, with_for_update=True)
        if device is None:
            raise AuthError("unknown device token", "bad_credentials")
        if device.token_hash == presented_hash:
            device.previous_token_hash = device.token_hash
        # Otherwise the laptop used its previous token (it never received the current
        # one): that previous token stays the fallback, the unreceived one is dropped.
        device.token_hash = hash_token(token)
        device.token_rotated_at = utcnow()
    return token
