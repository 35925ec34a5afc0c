"""Fixtures starting real sync servers, on SQLite and on PostgreSQL.

Importable from other test packages (the sync client's tests)::

    from tests.server.conftest import database_url, server  # the fixtures
    from tests.server.harness import start_server, RunningServer, change

``server`` is one real ``passerelle-server serve`` process per test module and
backend, on a fresh database; tests create their own users and teams (unique names),
so they never see each other's cases. PostgreSQL comes from
``PASSERELLE_TEST_DATABASE_URL``: without it the PostgreSQL half is skipped locally and
fails on CI (``CI`` set), so CI can never silently skip it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.core.db import Database
from tests.server.harness import (
    PASSWORD,
    RunningServer,
    fresh_postgres_database,
    migrated_database,
    postgres_admin_url,
    start_server,
)
from tests.server.racing import Racing

__all__ = [
    "RunningServer",
    "assert_log_clean",
    "database_url",
    "postgres_url",
    "server",
    "start_server",
]

BACKENDS = ("sqlite", "postgresql")
# Every test of a module logs in from 127.0.0.1: only the per-username limit is tested
# on the shared server (the per-address limit has its own server).
SHARED_ENV = {"PASSERELLE_SERVER_LOGIN_FAILURES_PER_ADDRESS": "100000"}


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for SQLite (in the data dir), else a fresh PostgreSQL database per module."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_postgres_database(postgres_admin_url()) as url:
        yield url


@pytest.fixture(scope="module")
def two_databases(
    database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Database]]:
    """Two empty databases of the module's backend, in-process: the same pushes go to
    both the bulk way and the careful way, to compare what each stored."""
    folder = tmp_path_factory.mktemp("two-databases")
    if database_url is None:
        databases = [migrated_database(folder / name, None) for name in ("bulk", "careful")]
        yield databases
    else:
        with fresh_postgres_database(postgres_admin_url()) as other:
            databases = [
                migrated_database(folder / "bulk", database_url),
                migrated_database(folder / "careful", other),
            ]
            yield databases
    for database in databases:
        database.dispose()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for tests that only make sense there."""
    with fresh_postgres_database(postgres_admin_url()) as url:
        yield url


@pytest.fixture(scope="module")
def pg_server(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """One real server per module on a fresh PostgreSQL database: the lock and
    connection tests that only make sense there."""
    with start_server(tmp_path_factory.mktemp("pg-server"), postgres_url) as running:
        yield running


@pytest.fixture
def racing(pg_server: RunningServer) -> Iterator[Racing]:
    race = Racing(pg_server)
    try:
        yield race
    finally:
        race.close()


@pytest.fixture(scope="module")
def server(
    database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server"), database_url, env=SHARED_ENV)
    try:
        yield running
    finally:
        running.stop()
    assert_log_clean(running)


def assert_log_clean(running: RunningServer) -> None:
    """No traceback, no password, no token ever reaches the server's log."""
    log = running.log()
    assert "Traceback" not in log, log
    assert PASSWORD not in log
    for client in running.clients:
        assert client.token not in log
