"""Pulled pages fetched one step ahead, so the server's work overlaps the laptop's.

While page *n* is written to the profile, page *n + 1* is already being prepared by the
server and parsed here: a thread fetches pages in cursor order into a small queue.
Only the consumer stores cursors, each with its page, so a page fetched but never
applied (a crash, an error) is simply fetched again next time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from types import TracebackType

from app.sync.client import SyncClient
from passerelle_core.protocol import PullResponse

AHEAD = 2
POLL_SECONDS = 0.2


class PageFeed:
    """Iterate over pulled pages from ``cursor`` until ``has_more`` is false."""

    def __init__(self, client: SyncClient, cursor: int, limit: int) -> None:
        self._client = client
        self._cursor = cursor
        self._limit = limit
        self._pages: queue.Queue[PullResponse | BaseException] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="sync-pull", daemon=True)

    def __enter__(self) -> PageFeed:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def __iter__(self) -> Iterator[PullResponse]:
        while True:
            item = self._pages.get()
            if isinstance(item, BaseException):
                raise item
            yield item
            if not item.has_more:
                return

    def _fetch(self) -> None:
        cursor = self._cursor
        while not self._stop.is_set():
            try:
                page: PullResponse | BaseException = self._client.pull(cursor, self._limit)
            except Exception as error:  # handed to the consumer, raised there
                page = error
            if not self._put(page):
                return
            if isinstance(page, BaseException) or not page.has_more:
                return
            cursor = page.next_cursor

    def _put(self, item: PullResponse | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._pages.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False
