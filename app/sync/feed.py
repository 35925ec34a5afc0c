"""Pulled pages fetched one step ahead, so the server's work overlaps the laptop's.

While page *n* is written to the profile, page *n + 1* is already being prepared by the
server and parsed here: a thread fetches pages in cursor order into a small queue (the
first page is fetched by the caller itself: most pulls are that one page).
Only the consumer stores cursors, each with its page, so a page fetched but never
applied (a crash, an error) is simply fetched again next time. With ``apart`` (an
initial sync's fast path) pages are decoded in a separate process (app.sync.decoder);
without it, the pages of a long pull after its first ``APART_AFTER_PAGES``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

from app.i18n import _
from app.sync.client import SyncClient
from app.sync.decoder import PageDecoder, decode_here, head
from app.sync.errors import ProtocolError, ResponseRefused
from passerelle_core.protocol import PullResponse

AHEAD = 2
AHEAD_APART = 4  # pages decoded in the child: a deeper queue rides out its pauses
APART_AFTER_PAGES = 8  # outside the fast path, pages after these are decoded apart too
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class _Submitted:
    """A page handed to the decoding process: its answer is read by the consumer."""

    raw: bytes
    head: tuple[int, bool]  # (next cursor, has more) the next request was based on


Item = PullResponse | _Submitted | BaseException


class PageFeed:
    """Iterate over pulled pages from ``cursor`` until ``has_more`` is false."""

    def __init__(self, client: SyncClient, cursor: int, limit: int, apart: bool = False) -> None:
        self._client = client
        self._cursor = cursor
        self._limit = limit
        self._apart = apart  # decode in a separate process (app.sync.decoder)
        self._decoder: PageDecoder | None = None
        self._pages: queue.Queue[Item] = queue.Queue(AHEAD_APART if apart else AHEAD)
        self._stop = threading.Event()
        self._next: Item | None = None  # taken from the queue by :meth:`ready`, not yet used
        self._thread = threading.Thread(target=self._fetch, name="sync-pull", daemon=True)
        self._starting = threading.Lock()  # the fetch thread's decoder against ``__exit__``

    def __enter__(self) -> PageFeed:
        if self._apart:
            self._decoder = PageDecoder()
            self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        with self._starting:  # a decoder the fetch thread starts now is closed here
            decoder = self._decoder
        if decoder is not None:
            decoder.close()  # first: the fetch thread may wait on its pipe
        if self._thread.ident is not None:  # started
            self._thread.join()

    def __iter__(self) -> Iterator[PullResponse]:
        if not self._apart:
            # The first page is fetched here: an incremental sync is one page, and a
            # thread for it would cost more than it overlaps (issue 23, many laptops).
            # When more follow, the thread fetches them while this one is written.
            first = self._client.pull(self._cursor, self._limit)
            if first.has_more:
                self._cursor = first.next_cursor
                self._thread.start()
            yield first
            if not first.has_more:
                return
        while True:
            item = self._take()
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, _Submitted):
                assert self._decoder is not None
                page = self._decoder.receive(item.raw)
                if (page.next_cursor, page.has_more) != item.head:
                    raise ProtocolError(200)  # the page contradicts its own start
            else:
                page = item
            yield page
            if not page.has_more:
                return

    def ready(self, timeout: float) -> bool:
        """Whether the next page has arrived, waiting at most ``timeout`` seconds for it:
        the consumer may commit rather than hold the write lock while the network works."""
        if self._next is None:
            try:
                self._next = self._pages.get(timeout=timeout)
            except queue.Empty:
                return False
        return True

    def _take(self) -> Item:
        item, self._next = self._next, None
        return item if item is not None else self._pages.get()

    def _fetch(self) -> None:
        """Pages in cursor order. With the decoding process, the next page is asked for
        as soon as this one's start says where it ends, while the child decodes it."""
        cursor = self._cursor
        fetched = 0 if self._apart else 1  # the caller fetched the first page
        while not self._stop.is_set():
            if fetched == APART_AFTER_PAGES and self._decoder is None:
                self._start_decoder()
            fetched += 1
            try:
                item: Item = self._item(cursor)
            except Exception as error:  # handed to the consumer, raised there
                item = error
            if not self._put(item):
                return
            if isinstance(item, BaseException):
                return
            cursor, more = item.head if isinstance(item, _Submitted) else _end(item)
            if not more:
                return

    def _start_decoder(self) -> None:
        """A long pull (a seeding laptop's pull-back, a long absence): its later pages
        are decoded in the other process too, as on the fast path. Their parsing
        (pydantic) and decoding cost the writing process about as much as its writes;
        starting the process costs about 0.1 s of CPU, more than a pull of a few pages
        (an incremental sync's 1,000 changes) would save."""
        with self._starting:
            if not self._stop.is_set():
                self._decoder = PageDecoder()

    def _item(self, cursor: int) -> Item:
        decoder = self._decoder
        if decoder is None:
            return self._client.pull(cursor, self._limit)
        raw = _pull_bytes(self._client, cursor, self._limit)
        known = head(raw)
        if known is not None and decoder.submit(raw):
            return _Submitted(raw, known)
        return decode_here(raw)

    def _put(self, item: Item) -> bool:
        while not self._stop.is_set():
            try:
                self._pages.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False


def _end(page: PullResponse) -> tuple[int, bool]:
    return page.next_cursor, page.has_more


def _pull_bytes(client: SyncClient, cursor: int, limit: int) -> bytes:
    """A page as sent, to be decoded apart; counted and refused as ``SyncClient.pull``."""
    client.pages_pulled += 1
    if client.pages_pulled > client.max_pull_pages:
        raise ResponseRefused(_("the server sent more pages than a sync may take"))
    return client.get_bytes(f"/api/v1/pull?cursor={int(cursor)}&limit={int(limit)}")
