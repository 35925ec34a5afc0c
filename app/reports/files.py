"""Writing a document or an export whole or not at all.

Generation can fail half-way (an error, a full disk, the application closed): the file
is written under a temporary name in the same folder and renamed over ``out`` only
once complete, so nobody ever opens a truncated PDF or spreadsheet.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """A temporary path to write to; renamed to ``out`` if the block ends without error."""
    out = Path(out)
    folder = out.parent
    if not folder.is_dir():  # name the folder the user gave, not a temporary file
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))
    handle, name = tempfile.mkstemp(prefix=".passerelle-", suffix=".part", dir=out.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_bytes(data: bytes, out: Path) -> Path:
    with replacing(out) as temporary:
        temporary.write_bytes(data)
    return Path(out)
