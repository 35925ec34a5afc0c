"""Steps of a sync beyond records, around the pull.

Filled in by the protection work (issue 6): uploading the access log, refreshing the
policy. Kept apart from :mod:`app.sync.engine` so each has its own module and tests.
"""

from __future__ import annotations

from app.store.profile import Profile
from app.sync import security
from app.sync.audit_upload import UploadOutcome, upload_access_log
from app.sync.client import SyncClient


def after_push(profile: Profile, client: SyncClient) -> UploadOutcome:
    """Before the pull: a device told to wipe is refused the pull, but may still upload
    what it holds, its access log included (the server keeps the only copy after)."""
    return upload_access_log(profile, client)  # a refused chain is noted, not raised


def after_pull(profile: Profile, client: SyncClient, known: security.Known | None = None) -> None:
    """Everything a sync does once records are exchanged; ``known``: what the sync read at
    its start (:class:`app.sync.security.Known`)."""
    security.refresh(profile, client, known=known)  # last: it may rotate the client's token
