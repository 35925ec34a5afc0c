"""The database factory: engine, sessions, write transactions and migrations.

SQLite (the default) runs in WAL mode; every transaction that writes starts with
``BEGIN IMMEDIATE`` so writers queue up front instead of failing half-way, and readers
never block. PostgreSQL serialises writers on the ``counter`` row instead
(:mod:`server.services.sequence`). Nothing here runs at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic_core import to_json
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from server.core.settings import ServerSettings

logger = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
WRITE_OPTION = "passerelle_write"
PINNED_CONNECTION = "passerelle_connection"  # Session.info key: the request's connection
PIN_AT_FIRST_READ = "passerelle_pin"  # Session.info key: first_read takes that connection
AUTOCOMMIT = "AUTOCOMMIT"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
MIGRATION_LOCK_KEY = 0x5A55E7  # pg_advisory_xact_lock key: one migrator at a time


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class UnsupportedDatabase(ValueError):
    """A database URL this server cannot use (it speaks SQLite and PostgreSQL)."""


class Database:
    """An engine and its session factory, built from settings (one per process)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        url = make_url(settings.effective_database_url)
        if url.get_backend_name() not in SUPPORTED_BACKENDS:
            raise UnsupportedDatabase(f"unsupported database {url.get_backend_name()!r}")
        self.is_sqlite = url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.engine = _sqlite_engine(settings.effective_database_url)
        else:
            # A connection made anew costs the server a process and an authentication:
            # keep as many as a worker serves requests at once (issue 23, many laptops).
            # No pre-ping (a round trip per request, issue 23): a connection found dead
            # by a request's first statement, the authentication, is replaced and that
            # read made again (:func:`first_read`); the pool drops its other connections.
            self.engine = create_engine(
                url,
                pool_pre_ping=False,
                pool_size=settings.database_pool_size,
                max_overflow=settings.database_max_overflow,
                hide_parameters=True,
                json_serializer=json_text,
            )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.safe_url = url.render_as_string(hide_password=True)

    def session(self) -> Session:
        return self.sessions()

    def request_session(self) -> Session:
        """A session for one request, made without a pool checkout nor a round trip, so
        the event loop makes it (no thread hop per request: issue 23); close it with
        :func:`end_request_session`.

        On PostgreSQL the request's first read (:func:`first_read`, the authentication)
        takes one connection from the pool and keeps it for the whole request: each
        transaction of the request (the work, bookkeeping) would otherwise check one out
        again."""
        session = self.sessions()
        if not self.is_sqlite:
            session.info[PIN_AT_FIRST_READ] = True
        return session

    def dispose(self) -> None:
        self.engine.dispose()

    def migrate(self) -> bool:
        """Bring the schema to the newest revision; True when something ran."""
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"))
            if MigrationContext.configure(connection).get_current_revision() == head_revision():
                return False
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return True

    def is_current(self) -> bool:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head_revision()


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """A transaction that will write: ``BEGIN IMMEDIATE`` on SQLite, plain on PostgreSQL."""
    with session.begin():
        session.connection(execution_options={WRITE_OPTION: True})
        yield session


@contextmanager
def read_transaction(session: Session) -> Iterator[Session]:
    with session.begin():
        yield session


def first_read(
    session: Session, statement: Executable, params: Mapping[str, Any]
) -> Row[Any] | None:
    """The first row of a read made before anything else in the request (the caller's
    authentication, issue 23).

    On a request's pinned PostgreSQL connection it runs in autocommit: one statement is
    its own snapshot, so BEGIN and COMMIT are two round trips for nothing. The pool does
    not ping connections: if this first statement finds the connection dead, SQLAlchemy
    invalidates it (and the pool's older ones), and the read runs once more on a new
    one; nothing was written. Elsewhere (SQLite, a session already in a transaction):
    a plain read transaction."""
    connection = _pin(session)
    if not isinstance(connection, Connection) or session.in_transaction():
        with read_transaction(session):
            return session.connection().execute(statement, params).first()
    try:
        return _autocommit_first(connection, statement, params)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("a pooled database connection was dead: reconnected")
        connection.rollback()  # out of the invalidated state: the next use reconnects
        return _autocommit_first(connection, statement, params)


@contextmanager
def reads(session: Session) -> Iterator[Connection]:
    """A connection for a few reads that need no snapshot in common (the pull's page, the
    policy: issue 23).

    On a request's pinned PostgreSQL connection, outside a transaction, they run in
    autocommit, each statement its own snapshot, as it would be in a READ COMMITTED
    transaction anyway: BEGIN and COMMIT are two round trips for nothing. Elsewhere (SQLite,
    a session already in a transaction): a plain read transaction."""
    connection = session.info.get(PINNED_CONNECTION)
    if not isinstance(connection, Connection) or session.in_transaction():
        with read_transaction(session):
            yield session.connection()
        return
    connection.execution_options(isolation_level=AUTOCOMMIT)
    try:
        yield connection
    except BaseException:
        connection.rollback()  # ends SQLAlchemy's transaction; the driver sends nothing
        raise
    else:
        connection.commit()  # likewise
    finally:
        connection.execution_options(isolation_level=connection.default_isolation_level)


def _pin(session: Session) -> Connection | None:
    """The request's connection, taken from the pool now if the session asks for it."""
    connection = session.info.get(PINNED_CONNECTION)
    if connection is None and session.info.pop(PIN_AT_FIRST_READ, False):
        if session.in_transaction() or not isinstance(session.bind, Engine):
            return None
        connection = session.bind.connect()
        session.bind = connection
        session.info[PINNED_CONNECTION] = connection
    return connection if isinstance(connection, Connection) else None


def end_needs_round_trip(session: Session) -> bool:
    """Whether closing this request's session sends something to the database (a
    rollback: the request ended inside a transaction), so must not run on the event loop."""
    connection = session.info.get(PINNED_CONNECTION)
    return session.in_transaction() or (
        isinstance(connection, Connection) and connection.in_transaction()
    )


def end_request_session(session: Session) -> None:
    """Close a :meth:`Database.request_session` and give its connection back to the pool."""
    try:
        session.close()
    finally:
        connection = session.info.pop(PINNED_CONNECTION, None)
        if isinstance(connection, Connection):
            connection.close()


def single_write(session: Session, statement: Executable, params: Mapping[str, Any]) -> int:
    """Run one writing statement on its own; the number of rows it changed.

    On a request's pinned PostgreSQL connection, outside a transaction, it runs in
    autocommit: one statement is atomic by itself, and BEGIN and COMMIT would be two
    more round trips (issue 23: the pull's cursor bookkeeping at every sync). Elsewhere
    a write transaction of its own."""
    connection = session.info.get(PINNED_CONNECTION)
    if not isinstance(connection, Connection) or session.in_transaction():
        with write_transaction(session):
            result = session.connection().execute(statement, params)
            return int(getattr(result, "rowcount", 0))
    connection.execution_options(isolation_level=AUTOCOMMIT)
    try:
        result = connection.execute(statement, params)
        connection.commit()  # ends SQLAlchemy's transaction; the driver sends nothing
    finally:
        connection.execution_options(isolation_level=connection.default_isolation_level)
    return int(getattr(result, "rowcount", 0))


def _autocommit_first(
    connection: Connection, statement: Executable, params: Mapping[str, Any]
) -> Row[Any] | None:
    connection.execution_options(isolation_level=AUTOCOMMIT)
    row = connection.execute(statement, params).first()
    connection.commit()  # ends SQLAlchemy's transaction; the driver sends nothing
    connection.execution_options(isolation_level=connection.default_isolation_level)
    return row


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def json_text(value: Any) -> str:
    """JSON columns written by pydantic's serialiser: compact, UTF-8, five times faster
    than ``json.dumps`` (a push batch writes four JSON values per change, issue 23)."""
    return to_json(value).decode()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        hide_parameters=True,
        json_serializer=json_text,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
