"""A large table parsed and checked in a child process while its rows are written.

Turning cells into values and checking them costs about as much as writing them; on
another core the two overlap. The child (``python -m app.services.import_worker``)
receives the table already read and the mapping, and sends the parsed rows
(:class:`~app.services.import_parse.ParsedRow`) a batch at a time, in order, exactly as
:class:`~app.services.import_parse.TableParser` makes them in the main process, each
already checked as a new beneficiary's (:func:`app.services.import_check.as_new`) and
its identity normalised for the duplicate check;
the main process checks what depends on the profile and writes each batch
(:func:`app.services.importer._import_streamed`).

Whatever goes wrong on the child's side (it cannot start, it dies midway) the main
process parses the rest itself: the same rows, the same errors. Frames on the child's
standard input and output: an 8-byte length, then a pickle (from our own process:
trusted); a zero length ends the rows. Its standard error is discarded: nothing it
could print about a row reaches a log.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app import child_process
from app.child_process import pipe, read_frame, write_frame
from app.i18n import current_language, set_language
from app.services.import_check import as_new
from app.services.import_duplicates import identity_keys, identity_parts
from app.services.import_parse import ParsedRow, TableParser
from app.services.import_rows import SheetRow, Table

MIN_ROWS = 3_000
"""Smaller tables are parsed faster than a child process starts."""


def spare_core() -> bool:
    """Whether a core is likely free for the child: it only helps beside the writes.

    On a machine already busy (load average at or above the number of cores) the two
    processes would take turns on the same cores, and the child's start-up is lost.
    """
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average
        return True
    return load < cores


@dataclass(frozen=True)
class Request:
    """What the child needs; the table's rows as two plain lists (lines, cells): pickling
    50,000 frozen dataclasses cost the main process ~1 s of CPU, plain tuples a tenth."""

    labels: list[str]
    header_line: int
    encoding: str | None
    delimiter: str | None
    lines: list[int]
    cells: list[tuple[object, ...]]
    mapping: dict[str, str | None]
    today: date
    language: str
    batch_rows: int

    @classmethod
    def of(
        cls, table: Table, mapping: Mapping[str, str | None], today: date, batch_rows: int
    ) -> Request:
        return cls(
            table.labels, table.header_line, table.encoding, table.delimiter,
            [row.line for row in table.rows], [row.cells for row in table.rows],
            dict(mapping), today, current_language(), batch_rows,
        )  # fmt: skip

    def table(self) -> Table:
        rows = [SheetRow(line, cells) for line, cells in zip(self.lines, self.cells, strict=True)]
        return Table(self.labels, rows, self.header_line, self.encoding, self.delimiter)


Sent = tuple[
    int, tuple[object, ...], dict[str, Any], str | None, str | None, list[Any], Any, Any, Any
]
"""A parsed row as sent: line, cells, values, facility, CIN, errors, checked as new,
the normalised fields of its identity and its blocking keys (duplicates)."""


def main() -> int:
    """The child: one request, the batches, then its timings."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    first = read_frame(source)
    if first is None:
        return 0
    gc.disable()  # a short-lived process of live objects only (app.services.import_gc)
    request: Request = pickle.loads(first)
    set_language(request.language)
    started, started_cpu = time.perf_counter(), time.process_time()
    table, size = request.table(), request.batch_rows
    parser = TableParser(table, request.mapping, request.today)
    for start in range(0, len(table.rows), size):
        batch = []
        for row in parser.rows(table.rows[start : start + size]):
            parts = None if row.errors else identity_parts(row.values)
            batch.append(
                (
                    row.line, row.cells, row.values, row.facility, row.cin, row.errors,
                    as_new(row), parts, None if parts is None else identity_keys(parts),
                )
            )  # fmt: skip
        write_frame(sink, pickle.dumps(batch, protocol=5))
    phases = {
        "parse": time.perf_counter() - started,
        "parse:cpu": time.process_time() - started_cpu,
        "reader_process:cpu": time.process_time(),  # all of it, start-up included
    }
    write_frame(sink, b"")
    write_frame(sink, pickle.dumps(phases))
    return 0


class RowReader:
    """The main process's side: the head, then the parsed batches as the child sends them.

    A thread moves the child's frames into a queue as they come, so the child never
    waits for the main process to want the next batch.
    """

    def __init__(self, process: subprocess.Popen[bytes], request: bytes) -> None:
        self._process = process
        self._request = request
        self._frames: queue.Queue[bytes | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, name="import-reader", daemon=True)
        self._thread.start()
        self.phases: dict[str, float] = {}

    @classmethod
    def start(
        cls, table: Table, mapping: Mapping[str, str | None], today: date, batch_rows: int
    ) -> RowReader | None:
        """A child parsing ``table``; None where there is none (a bundled app)."""
        process = child_process.spawn("app.services.import_worker", quiet=True)
        if process is None:
            return None
        request = Request.of(table, mapping, today, batch_rows)
        return cls(process, pickle.dumps(request, protocol=5))

    def _pump(self) -> None:
        """Send the request (while the child starts, the main process goes on), then
        queue the child's frames."""
        try:
            write_frame(pipe(self._process.stdin), self._request)
            self._request = b""
            stream = pipe(self._process.stdout)
            while True:
                frame = read_frame(stream)
                self._frames.put(frame)
                if frame is None:
                    return
                if frame == b"":  # the rows are over; the timings follow
                    self._frames.put(read_frame(stream))
                    self._frames.put(None)
                    return
        except (OSError, ValueError):
            self._frames.put(None)

    def batches(self, labels: dict[str, str]) -> Iterator[list[ParsedRow] | None]:
        """Each batch in order; a final None if the child stopped before the last one."""
        while True:
            frame = self._frames.get()
            if frame is None:
                yield None
                return
            if frame == b"":
                timings = self._frames.get()
                if timings:
                    self.phases = pickle.loads(timings)
                return
            sent: list[Sent] = pickle.loads(frame)
            yield [
                ParsedRow(line, cells, values, facility, cin, errors, labels, checked, parts, keys)
                for line, cells, values, facility, cin, errors, checked, parts, keys in sent
            ]

    def close(self) -> None:
        child_process.stop(self._process)
        self._thread.join(timeout=5)


__all__ = ["MIN_ROWS", "RowReader", "main", "spare_core"]

if __name__ == "__main__":
    # Run as the module of its own name, so that what it pickles is found by that name.
    from app.services.import_worker import main as run

    raise SystemExit(run())
