"""Pushes sent from threads while a test holds PostgreSQL's counter lock (or waits on
it): what the lock tests of the push share."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from sqlalchemy import Connection, create_engine, text

from tests.server.harness import DeviceClient, RunningServer

WAIT_SECONDS = 30


class Racing:
    """Pushes sent from threads while the test holds the counter lock."""

    def __init__(self, server: RunningServer) -> None:
        assert server.database_url is not None
        self.engine = create_engine(server.database_url)
        self.holder: Connection | None = None
        self.threads: list[threading.Thread] = []
        self.results: dict[str, list[dict[str, Any]]] = {}

    def hold(self) -> int:
        """Take the counter lock (as a push in progress would); the last number."""
        self.holder = self.engine.connect()
        return int(
            self.holder.execute(
                text("SELECT last_seq FROM counter WHERE id = 1 FOR UPDATE")
            ).scalar_one()
        )

    def push(self, name: str, laptop: DeviceClient, *changes: dict[str, Any]) -> None:
        def run() -> None:
            self.results[name] = laptop.push(*changes)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def wait_blocked(self, count: int, statement_part: str = "") -> None:
        """Until ``count`` server transactions wait for a lock (whose statement contains
        ``statement_part``, if given): each push read ahead (and waits for the counter,
        or for a record a waiting push locked)."""
        deadline = time.monotonic() + WAIT_SECONDS
        with self.engine.connect() as watcher:
            while time.monotonic() < deadline:
                waiting = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND position(:part in query) > 0"
                    ),
                    {"part": statement_part},
                ).scalar_one()
                watcher.rollback()
                if waiting >= count:
                    return
                time.sleep(0.02)  # another backend's state: there is no event to wait on
        raise AssertionError(f"{count} pushes never waited for a lock")

    def release(self) -> None:
        assert self.holder is not None
        self.holder.rollback()
        self.holder.close()
        self.holder = None
        for thread in self.threads:
            thread.join(WAIT_SECONDS)
            assert not thread.is_alive()

    def change_log(self, change_ids: list[str]) -> dict[str, int | None]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT change_id, seq FROM change_log WHERE change_id = ANY(:ids)"),
                {"ids": [uuid.UUID(c) for c in change_ids]},
            )
            return {str(row.change_id): row.seq for row in rows}

    def last_seq(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(text("SELECT last_seq FROM counter WHERE id = 1")).scalar_one()
            )

    def close(self) -> None:
        if self.holder is not None:
            self.holder.rollback()
            self.holder.close()
        self.engine.dispose()
