"""The role table (moved to passerelle_core.permissions, issue 14) and the laptop's refusal.

The table is re-exported for the laptop's modules; ``require`` stays here because
it raises the desktop's translated ``NotAllowed``.
"""

from __future__ import annotations

from app.i18n import _
from app.services.errors import NotAllowed
from passerelle_core.permissions import *  # noqa: F403
from passerelle_core.permissions import REFUSALS, Permission, _HasActor, may


def require(ctx: _HasActor, permission: Permission, message: str | None = None) -> None:
    """Refuse with NotAllowed (nothing written) unless the acting staff member may.

    ``message`` (already translated) replaces the table's refusal where the caller can
    say more, e.g. what to do instead.
    """
    if not may(ctx, permission):
        raise NotAllowed(message or _(REFUSALS[permission]))
