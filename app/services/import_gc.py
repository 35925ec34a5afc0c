"""The cyclic garbage collector paused while an import builds and writes its rows.

An import of 50,000 rows holds hundreds of thousands of live objects (parsed rows, the
caseload's identities, bound tuples), none of them garbage: every automatic collection
scans them all again for cycles that are not there. Measured with a 20,000-row CSV
(bench/imports.py conditions, cProfile): 1.4 of the main process's 6.3 CPU seconds
were collections (unpickling the reader's batches, building dicts and identity keys).
Reference counting still frees everything at once; cycles made meanwhile (few: ORM
states, exceptions) wait for the first collection after the import.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside (nestable, from any thread); as before after it."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


__all__ = ["paused"]
