"""SQLAlchemy engines over SQLCipher, keyed with the raw database key.

Each new connection is keyed first, then proves the key by reading ``sqlite_master``
before anything else runs. The key never appears in a URL, a log or an error.
Settings decided on purpose:

- WAL with ``synchronous=FULL``: an acknowledged write survives a power cut.
- ``temp_store=MEMORY``: sorts and temporary tables never touch the disk in clear.
- ``cipher_memory_security=OFF`` (SQLCipher's default since 4.5): wiping every freed
  allocation costs a large slowdown and only helps against an attacker who can read the
  memory of a running, unlocked session, which the threat model leaves to the OS
  (the app locks itself when idle and drops its engine on lock).
- ``cipher_log_level=NONE``: a wrong key must not print SQLCipher noise on stderr.
- A bulk write (an import) takes a larger page cache for its one transaction
  (:func:`bulk_cache`); the connection gets the usual cache back when it returns to the
  pool.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from app.i18n import _
from app.store import writelock
from app.store.errors import CorruptProfile
from app.store.textfold import fold, name_terms

MEMORY_TEMP_STORE = 2
BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 32 * 1024
BULK_CACHE_KIB = 256 * 1024
"""A bulk write's page cache: an import of 50,000 rows dirties ~150 MiB of pages (rows,
indexes, outbox, access log, search index). With 32 MiB, SQLite spills dirty pages to
the WAL mid-transaction, each encrypted and authenticated, then read back (decrypted,
checked) and written again when touched later: 17% of the import's write CPU at 50,000
rows (bench/README.md, store-23). Pages are allocated only as they are used."""
_BULK_CACHE = "passerelle_bulk_cache"


def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_keyed(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A raw DB-API connection, keyed and verified, with Passerelle's settings applied."""
    connection = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(key_pragma(key))
        connection.execute("PRAGMA cipher_memory_security = OFF")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        connection.close()
        raise CorruptProfile(
            _("the database cannot be decrypted with this profile's key")
        ) from None
    configure_connection(connection)
    return connection


def configure_connection(connection: Any) -> None:
    """Passerelle's settings on a fresh DB-API connection (keyed first if encrypted)."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # Decrypted pages are cached: without a larger cache every search re-decrypts them.
    connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise CorruptProfile(_("the database refused write-ahead logging"))
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA temp_store = MEMORY")
    temp_store = connection.execute("PRAGMA temp_store").fetchone()[0]
    if temp_store != MEMORY_TEMP_STORE:
        raise RuntimeError("SQLCipher did not accept temp_store=MEMORY")
    connection.create_function("passerelle_fold", 1, fold, deterministic=True)
    connection.create_function("passerelle_name_terms", 1, name_terms, deterministic=True)


def bulk_cache(connection: Connection, kib: int = BULK_CACHE_KIB) -> None:
    """A larger page cache for this connection until it returns to the pool.

    For a transaction that writes many rows: its dirty pages then stay in memory until
    the commit instead of spilling to the WAL. Restored on check-in, after the commit or
    rollback (shrinking it before the commit would spill at the commit's own writes).
    """
    info = connection.connection.info
    if _BULK_CACHE in info:
        return
    info[_BULK_CACHE] = True
    connection.exec_driver_sql(f"PRAGMA cache_size = -{kib}")


def create_keyed_engine(path: Path, key: bytes, pool_size: int = 4) -> Engine:
    """An engine whose every pooled connection is keyed by :func:`connect_keyed`."""

    def creator() -> sqlcipher3.Connection:
        return connect_keyed(path, key)

    return engine_from_creator(path, creator, sqlcipher3.dbapi2, pool_size)


def engine_from_creator(
    path: Path, creator: Callable[[], Any], module: Any, pool_size: int = 4
) -> Engine:
    """A pooled engine over connections made by ``creator``, with explicit transactions."""
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        creator=creator,
        module=module,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=4,
        # The connection used last is taken first: its page cache is the warm one, and
        # the others stay idle with small caches (the desktop's memory, issue 23).
        pool_use_lifo=True,
    )
    _use_explicit_transactions(engine)
    event.listen(engine, "checkin", _usual_cache)
    return engine


def _usual_cache(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    """A connection that took :func:`bulk_cache` gets the usual page cache back."""
    if record.info.pop(_BULK_CACHE, None) is not None and dbapi_connection is not None:
        dbapi_connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def _use_explicit_transactions(engine: Engine) -> None:
    """Let SQLAlchemy own BEGIN/COMMIT, so DDL (migrations) is transactional too.

    Every transaction is a write transaction (``BEGIN IMMEDIATE``, see
    :mod:`app.store.writelock`) unless its connection says it only reads.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None

    # Writers take the lock at BEGIN and wait for it; readers stay deferred.
    event.listen(engine, "begin", writelock.begin)
    event.listen(engine, "commit", writelock.end)
    event.listen(engine, "rollback", writelock.end)


def integrity_errors(path: Path, key: bytes) -> list[str]:
    """SQLCipher's page-level HMAC check plus SQLite's structural check; [] when sound."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(key_pragma(key))
        problems = [str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check")]
        status = [str(row[0]) for row in connection.execute("PRAGMA quick_check")]
        if status != ["ok"]:
            problems.extend(status)
        return problems
    except sqlcipher3.DatabaseError as error:
        return [str(error)]
    finally:
        connection.close()
