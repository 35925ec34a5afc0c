"""Uploading the access log at every sync: this device's chain, after what the server holds.

Entries go in seq order, in batches, to ``POST /api/v1/access-log``; the server checks
that they continue the chain it already holds and answers how far it now holds it
(``acked_seq``), which is stored in ``sync_state``. A resend after a lost reply is
harmless (the server recognises entries it has). A server that holds less than we
thought (restored from a backup) says so and we send again from there.

A chain the server refuses (an entry altered, removed or reordered on this laptop) is
not retried in a loop and does not stop the sync: the refusal is kept in ``sync_state``
(:data:`REFUSED_KEY`) for the interface, and ``passerelle audit verify`` names the entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Integer, Table, bindparam, select, update

from app.models import AccessAction, AccessLogEntry, ProfileSetting
from app.models.audit import DEVICE_SETTING
from app.models.base import utcnow
from app.services.audit_capture import Access, append
from app.store import writelock
from app.store.profile import Profile
from app.sync import state
from app.sync.audit_chain import ACKED_KEY, verify
from app.sync.client import SyncClient
from app.sync.errors import ProtocolError
from passerelle_core.audit_protocol import (
    ACCESS_LOG_PATH,
    MAX_ACCESS_LOG_ENTRIES,
    AccessLogAck,
    AccessLogRecord,
    AccessLogUpload,
)

ACCESS_LOG = cast(Table, AccessLogEntry.__table__)
REFUSED_KEY = "access_log_refused_at"
MAX_ROUNDS = 10_000  # a guard: each round must move forward, this only stops a bug
_CHAIN = select(ProfileSetting.value).where(ProfileSetting.key == DEVICE_SETTING)
_ENTRIES = (
    select(ACCESS_LOG)
    .where(ACCESS_LOG.c.device_id == bindparam("chain"), ACCESS_LOG.c.seq > bindparam("after"))
    .order_by(ACCESS_LOG.c.seq)
    .limit(bindparam("limit", type_=Integer))
)
"""Built once: it runs at every sync."""


@dataclass
class UploadOutcome:
    sent: int = 0
    stored: int = 0
    acked_seq: int = 0
    refused: bool = False
    rechained: int = 0  # entries carried over to a new chain (a restored profile)


def upload_access_log(
    profile: Profile, client: SyncClient, batch_size: int = MAX_ACCESS_LOG_ENTRIES
) -> UploadOutcome:
    """Send every entry the server has not acknowledged; transport errors propagate.

    A refusal of an intact local chain means the profile forked from what the server
    holds (restored from a backup, then used): the entries the server never acknowledged
    move to a new chain id, sent at once; a chain altered here stays refused.
    """
    outcome = _upload(profile, client, batch_size)
    if outcome.refused and _own_chain_intact(profile):
        rechained = start_new_chain(profile)
        retried = _upload(profile, client, batch_size)
        retried.rechained = rechained
        retried.sent += outcome.sent
        return retried
    return outcome


def start_new_chain(profile: Profile) -> int:
    """Give this profile a new chain id; entries not acknowledged are copied onto it."""
    with profile.engine.begin() as connection:
        return rechain(connection)


def rechain(connection: Connection, staff: tuple[uuid.UUID, uuid.UUID] | None = None) -> int:
    """Copy the entries the server never acknowledged onto a new chain, in the caller's
    transaction; the old chain stays as it is (append-only). ``staff`` (old, new) maps
    the actor of an adopted profile onto its server account: the same person."""
    old = connection.execute(
        select(ProfileSetting.value).where(ProfileSetting.key == DEVICE_SETTING)
    ).scalar_one_or_none()
    if old is None:
        return 0
    after = int(state.get(connection, ACKED_KEY) or 0)
    rows = list(
        connection.execute(
            select(ACCESS_LOG)
            .where(ACCESS_LOG.c.device_id == uuid.UUID(old), ACCESS_LOG.c.seq > after)
            .order_by(ACCESS_LOG.c.seq)
        ).mappings()
    )
    connection.execute(
        update(ProfileSetting)
        .where(ProfileSetting.key == DEVICE_SETTING)
        .values(value=str(uuid.uuid4()))
    )
    for row in rows:
        actor = row["staff_id"]
        if staff is not None and actor == staff[0]:
            actor = staff[1]
        access = Access(row["action"], row["record_type"], row["record_id"], row["case_id"])
        append(connection, actor, [access], when=row["recorded_at"])
    state.put(connection, ACKED_KEY, None)
    state.put(connection, REFUSED_KEY, None)
    return len(rows)


def _own_chain_intact(profile: Profile) -> bool:
    with profile.engine.connect() as connection:
        own = connection.execute(
            select(ProfileSetting.value).where(ProfileSetting.key == DEVICE_SETTING)
        ).scalar_one_or_none()
    checks = [c for c in verify(profile.engine) if own and c.device_id == str(uuid.UUID(own))]
    return bool(checks) and all(c.check.intact for c in checks)


ALONE = "alone"
""":func:`pending_upload_in`: send the log on its own (:func:`upload_access_log`)."""


def pending_upload_in(
    connection: Connection,
    settings: dict[str, str],
    chain_id: str | None,
    batch_size: int | None = None,
) -> AccessLogUpload | str | None:
    """The first batch the server has not acknowledged, to ride on the pull's first
    request (``SyncClient.access_log``); None when there is nothing new; :data:`ALONE`
    when the upload on its own must deal with it (refused before, a row unreadable).

    Read in the caller's transaction (the sync's first, issue 23), from the sync state
    and this profile's chain id (``profile_setting`` ``device_id``) it already read:
    one statement, the entries."""
    if chain_id is None:  # nothing was ever recorded on this profile
        return None
    if settings.get(REFUSED_KEY) is not None:
        return ALONE
    after = int(settings.get(ACKED_KEY) or 0)
    chain = uuid.UUID(chain_id)
    limit = MAX_ACCESS_LOG_ENTRIES if batch_size is None else batch_size
    rows = connection.execute(_ENTRIES, {"chain": chain, "after": after, "limit": limit})
    try:
        entries = [_record(row) for row in rows.mappings()]
    except (LookupError, ValueError):
        return ALONE
    return AccessLogUpload(device_id=chain, entries=entries) if entries else None


def carried_state(client: SyncClient) -> dict[str, str]:
    """How far the server holds the log the pull carried, as the settings to store in the
    pull's first transaction (no transaction of its own); empty when it did not say.
    The refusal mark needs no clearing: a log is carried only when none is stored."""
    if client.access_log_acked is None:
        return {}
    return {ACKED_KEY: str(client.access_log_acked)}


def after_carried(
    profile: Profile,
    client: SyncClient,
    carried: AccessLogUpload,
    noted: bool,
    batch_size: int = MAX_ACCESS_LOG_ENTRIES,
) -> UploadOutcome:
    """After a pull that carried ``carried``: done if the server holds all of it, else
    the rest (or all of it: refused, an older server, a pull that never asked) sent the
    usual way, which also deals with a refusal."""
    acked = client.access_log_acked
    if acked is None:
        return upload_access_log(profile, client, batch_size)
    if not noted:
        _remember(profile.engine, ACKED_KEY, str(acked), clear=REFUSED_KEY)
    if acked >= carried.entries[-1].seq and len(carried.entries) < batch_size:
        return UploadOutcome(sent=len(carried.entries), acked_seq=acked)
    return upload_access_log(profile, client, batch_size)


def _upload(profile: Profile, client: SyncClient, batch_size: int) -> UploadOutcome:
    outcome = UploadOutcome()
    with writelock.reading(profile.engine).connect() as connection:  # reads: no write lock
        device = connection.execute(_CHAIN).scalar_one_or_none()
        after = int(state.get(connection, ACKED_KEY) or 0)
    outcome.acked_seq = after
    if device is None:  # nothing was ever recorded on this profile
        return outcome
    chain = uuid.UUID(device)
    for _round in range(MAX_ROUNDS):
        try:
            entries = _entries_after(profile.engine, chain, after, batch_size)
            if not entries:
                break
            ack = _post(client, AccessLogUpload(device_id=chain, entries=entries))
        except (ProtocolError, LookupError, ValueError):
            # Refused by the server (409: the chain does not continue what it holds; other
            # 4xx: unreadable), or rows mangled past reading here: a resend changes nothing.
            _remember(profile.engine, REFUSED_KEY, utcnow().isoformat())
            outcome.refused = True
            break
        outcome.sent += len(entries)
        outcome.stored += ack.stored
        _remember(profile.engine, ACKED_KEY, str(ack.acked_seq), clear=REFUSED_KEY)
        outcome.acked_seq = ack.acked_seq
        if ack.acked_seq == after or (entries[0].seq <= ack.acked_seq < entries[-1].seq):
            break  # no progress: never loop on a server that does not move
        if len(entries) < batch_size and ack.acked_seq >= entries[-1].seq:
            break  # all of it, and all held there: no need to ask the database again
        after = ack.acked_seq
    return outcome


def _entries_after(
    engine: Engine, chain: uuid.UUID, after: int, limit: int
) -> list[AccessLogRecord]:
    with writelock.reading(engine).connect() as connection:
        rows = connection.execute(_ENTRIES, {"chain": chain, "after": after, "limit": limit})
        return [_record(row) for row in rows.mappings()]


def _record(row: Any) -> AccessLogRecord:
    """A stored row on the wire; ValueError or LookupError if it was mangled."""
    return AccessLogRecord.model_validate({**row, "action": AccessAction(row["action"]).value})


def _post(client: SyncClient, body: AccessLogUpload) -> AccessLogAck:
    # The transport's one typed call (errors mapped like push and pull); SyncClient has
    # no public generic call, and this endpoint is ours, not part of the shared schemas.
    # A resend is harmless (the server knows its entries by their hashes): retried once.
    payload: dict[str, Any] = body.model_dump(mode="json")
    return client.call("POST", ACCESS_LOG_PATH, AccessLogAck, json=payload, retry=True)


def _remember(engine: Engine, key: str, value: str, clear: str | None = None) -> None:
    with engine.begin() as connection:
        state.put(connection, key, value)
        if clear is not None:
            state.put(connection, clear, None)
