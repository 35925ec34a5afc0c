"""Reading the next rows from the database while the previous ones are being written.

A large export spends about as long in SQLite (decrypting and walking pages) as in
writing the spreadsheet. SQLite releases the GIL while it works, so iterating the rows
in a worker thread, a few batches ahead of the writer, runs both at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import Generic, TypeVar

T = TypeVar("T")
BATCH = 1000
DEPTH = 4
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _Done:
    pass


@dataclass
class _Batch(Generic[T]):
    rows: list[T]


def read_ahead(rows: Iterator[T], batch: int = BATCH, depth: int = DEPTH) -> Iterator[T]:
    """``rows``, iterated in a worker thread up to ``depth`` batches ahead of the caller.

    ``rows`` runs entirely in the worker (a generator opening its database session there
    keeps it there) and is closed there if the caller stops early. An error raised by
    ``rows`` is raised again in the caller.
    """
    queue: Queue[_Batch[T] | _Failed | _Done] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: _Batch[T] | _Failed | _Done) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=POLL_SECONDS)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        chunk: list[T] = []
        try:
            for row in rows:
                chunk.append(row)
                if len(chunk) >= batch:
                    if not put(_Batch(chunk)):
                        return
                    chunk = []
            if chunk and not put(_Batch(chunk)):
                return
            put(_Done())
        except BaseException as error:  # handed over to the caller, raised there
            put(_Failed(error))
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="passerelle-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = queue.get(timeout=POLL_SECONDS)
            except Empty:
                if not worker.is_alive() and queue.empty():
                    return
                continue
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield from item.rows
    finally:
        stop.set()
        worker.join()
