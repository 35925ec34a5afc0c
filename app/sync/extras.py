"""Steps of a sync beyond records: run after the pull, each failing on its own.

Filled in by the protection work (issue 6): uploading the access log, refreshing the
policy. Kept apart from :mod:`app.sync.engine` so each has its own module and tests.
"""

from __future__ import annotations

from app.store.profile import Profile
from app.sync.client import SyncClient


def after_pull(profile: Profile, client: SyncClient) -> None:
    """Everything a sync does once records are exchanged (nothing yet)."""
