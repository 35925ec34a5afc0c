"""The laptop's sync bookkeeping tables, and its key/value sync state.

The state (server address and identity, this device's id and token, the pull cursor,
the last sync time) lives in the encrypted profile database, never in a settings file:
the device token is as secret as the case files it unlocks.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import HeldRecord, OutboxChange, SyncBase, SyncStateEntry
from app.models.base import SyncedMixin
from app.sync.records import SYNCED_TYPES

OUTBOX = cast(Table, OutboxChange.__table__)
BASE = cast(Table, SyncBase.__table__)
HELD = cast(Table, HeldRecord.__table__)
STATE = cast(Table, SyncStateEntry.__table__)

SERVER_URL = "server_url"
SERVER_ID = "server_id"
DEVICE_ID = "device_id"
DEVICE_TOKEN = "device_token"
CA_FILE = "ca_file"
CURSOR = "cursor"
LAST_SYNC_AT = "last_sync_at"
USERNAME = "username"
ENROLLED_STAFF = "enrolled_staff_id"  # the account that enrolled the profile (first time)
FIRST_SYNC_EXPECTED = "first_sync_expected"  # records announced, until the first sync ends
FIRST_SYNC_RECEIVED = "first_sync_received"
SERVER_RESTORED_AT = "server_restored_at"  # when a restored server was last detected
WIPE = "wipe"  # set when the server ordered an erase that has not completed yet
LEFT_SCOPE = "left_scope"  # JSON list of case ids to remove once their edits are pushed


def table_of(record_type: str) -> Table:
    return model_table(SYNCED_TYPES[record_type])


def model_table(model: type[SyncedMixin]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def read_all(connection: Connection) -> dict[str, str]:
    return {key: value for key, value in connection.execute(select(STATE.c.key, STATE.c.value))}


_GET = select(STATE.c.value).where(STATE.c.key == bindparam("key"))
_DELETE = delete(STATE).where(STATE.c.key == bindparam("key"))


def get(connection: Connection, key: str) -> str | None:
    return connection.execute(_GET, {"key": key}).scalar_one_or_none()


_INSERT = sqlite_insert(STATE)
_UPSERT = _INSERT.on_conflict_do_update(
    index_elements=["key"], set_={"value": _INSERT.excluded.value}
)
"""Built once, like the statements above: a sync reads and writes a dozen settings, and
building a statement costs more than running it."""


def put(connection: Connection, key: str, value: str | None) -> None:
    if value is None:
        connection.execute(_DELETE, {"key": key})
        return
    connection.execute(_UPSERT, {"key": key, "value": value})


def put_all(connection: Connection, values: dict[str, str]) -> None:
    """Several settings written in one statement (none of them removed)."""
    if values:
        connection.execute(_UPSERT, [{"key": k, "value": v} for k, v in values.items()])


def get_cursor(connection: Connection) -> int:
    return int(get(connection, CURSOR) or 0)


def get_uuid(connection: Connection, key: str) -> uuid.UUID | None:
    value = get(connection, key)
    return uuid.UUID(value) if value else None


def get_datetime(connection: Connection, key: str) -> datetime | None:
    value = get(connection, key)
    return datetime.fromisoformat(value) if value else None


def get_json(connection: Connection, key: str, default: Any) -> Any:
    value = get(connection, key)
    return json.loads(value) if value else default


def put_json(connection: Connection, key: str, value: Any) -> None:
    put(connection, key, json.dumps(value) if value else None)
