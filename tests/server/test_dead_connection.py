"""The server's pooled PostgreSQL connections are not pinged before use (a round trip
per request, issue 23): a connection found dead by a request's first statement, the
authentication, is replaced and the read made again (server/core/db.py ``first_read``).
Through the real server: every backend it holds is terminated, as a PostgreSQL restart
or an administrator would, and the laptops' next requests still go through."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text

from tests.server import factories
from tests.server.harness import RunningServer, change


def _terminate_server_connections(server: RunningServer) -> int:
    assert server.database_url is not None
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            connection.commit()
    finally:
        engine.dispose()
    server.database.dispose()  # the test's own pool (accounts, device status) starts afresh
    return int(killed)


def test_requests_go_through_after_the_pooled_connections_died(
    pg_server: RunningServer,
) -> None:
    account = pg_server.add_user("social_worker")
    laptop = pg_server.enrol(account)
    other = pg_server.enrol(pg_server.add_user("social_worker", account.team))
    first = laptop.pull(0)  # the workers now hold pooled connections
    other.pull(0)
    assert _terminate_server_connections(pg_server) >= 1
    case_id = uuid.uuid4()
    [result] = laptop.push(change("beneficiary", case_id, factories.beneficiary(account.team_id)))
    assert result["status"] == "applied", result
    pulled = other.pull(first.cursor)
    assert pulled.get("beneficiary", case_id) is not None
    assert "Traceback" not in pg_server.log()


def test_a_revoked_device_is_refused_on_a_new_connection(pg_server: RunningServer) -> None:
    """The read made again is the same authentication: its refusals stand."""
    account = pg_server.add_user("social_worker")
    laptop = pg_server.enrol(account)
    laptop.pull(0)
    pg_server.set_device_status(laptop.device_id, "revoked")
    assert _terminate_server_connections(pg_server) >= 1
    response = laptop.pull_page(0)
    assert response.status_code == 401 and response.json()["code"] == "device_revoked"
