"""A helper process of our own, started as ``python -m <module>``, and its frames.

The pull's page decoder and the import's reader each run beside the main process on
another core. Both talk through their standard input and output in frames: an 8-byte
length, then the bytes (pickles between our own processes, trusted). Standard library
only: the decoding child imports this and nothing heavy.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import IO, BinaryIO

ROOT = Path(__file__).resolve().parents[1]
"""The folder holding the ``app`` package (the child imports it from there)."""


def spawn(module: str, *, quiet: bool = False) -> subprocess.Popen[bytes] | None:
    """The child running ``module``; None where there is none (a bundled app has no
    ``python -m``) or it cannot start. ``quiet``: its standard error is dropped."""
    if getattr(sys, "frozen", False):
        return None
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    try:
        return subprocess.Popen(
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if quiet else None,
            env=environment,
            cwd=ROOT,
        )
    except OSError:
        return None


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the child (it holds nothing that must be kept) and close its pipes."""
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A child's pipe, which ``spawn`` always opens."""
    if stream is None:
        raise OSError("no pipe to the child process")
    return stream


def read_frame(stream: BinaryIO | IO[bytes]) -> bytes | None:
    """One frame's bytes; None at the end of the stream."""
    header = stream.read(8)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "big")
    body = stream.read(size)
    if len(body) < size:
        return None
    return body


def write_frame(stream: BinaryIO | IO[bytes], body: bytes) -> None:
    stream.write(len(body).to_bytes(8, "big"))
    stream.write(body)
    stream.flush()
