"""The auto-lock delay: the person's choice, within the administrator's limit.

The limit travels in the policy the server sends (``Policy.max_idle_lock_minutes``) and
holds offline; a profile that never synced has the default limit.
"""

from __future__ import annotations

from app.services.context import ServiceContext
from app.sync.policy import read_policy


def idle_lock_limit(ctx: ServiceContext) -> int:
    """The longest delay, in minutes, the administration allows before the window locks."""
    with ctx.reading() as session:
        return read_policy(session.connection()).max_idle_lock_minutes


def idle_lock_minutes(ctx: ServiceContext, chosen: int) -> int:
    """The delay that applies: the person's setting, cut to the limit."""
    return max(1, min(chosen, idle_lock_limit(ctx)))
