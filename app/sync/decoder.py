"""The main process's side of the decoding process (:mod:`app.sync.decode_worker`).

``PageDecoder.receive`` turns a page's bytes into a ``PullResponse`` whose records are
a :class:`~app.sync.incoming.DecodedPage` of stored values. Whatever the child
does not take (an unusual page), or if the child is gone, the page is parsed here the
careful way: pydantic, then ``from_wire`` when it is applied. Same pages accepted.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import uuid
from typing import Any, cast

from pydantic import ValidationError

from app import child_process
from app.child_process import pipe, read_frame, write_frame
from app.sync import decode_worker
from app.sync.decode import layouts, plans
from app.sync.errors import ProtocolError
from app.sync.incoming import DecodedPage, RawPage
from passerelle_core.protocol import PullResponse, RecordState

_HEAD = re.compile(
    rb'\{\s*"server_id"\s*:\s*"[0-9a-f-]{36}"\s*,\s*"left_scope"\s*:\s*\[[^\]]*\]\s*,'
    rb'\s*"next_cursor"\s*:\s*(\d{1,19})\s*,\s*"has_more"\s*:\s*(true|false)\s*,'
)


class PageDecoder:
    """A child process decoding pages, one at a time, in order."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        process = child_process.spawn("app.sync.decode_worker")
        if process is None:
            return  # pages are decoded here
        try:
            write_frame(pipe(process.stdin), pickle.dumps((plans(), layouts())))
        except (OSError, ValueError):
            child_process.stop(process)
            return
        self._process = process

    @property
    def apart(self) -> bool:
        """Whether pages are still decoded in the child."""
        return self._process is not None

    def submit(self, raw: bytes) -> bool:
        """Send a page to the child; False when it is gone (decode that page here)."""
        process = self._process
        if process is None:
            return False
        try:
            write_frame(pipe(process.stdin), raw)
        except (OSError, ValueError):
            return False
        return True

    def receive(self, raw: bytes) -> PullResponse:
        """The child's answer for the oldest page submitted (``raw``: that page)."""
        process = self._process
        answer = None
        if process is not None:
            try:
                answer = read_frame(pipe(process.stdout))
            except (OSError, ValueError):
                answer = None
            if answer is None:  # the child died: carry on without it
                self.close()
        decoded = None if answer is None else pickle.loads(answer)
        if decoded is None:
            return decode_here(raw)
        return _page(raw, *cast(decode_worker.Decoded, decoded))

    def close(self) -> None:
        """Stop the child (it holds nothing that must be kept)."""
        process, self._process = self._process, None
        if process is None:
            return
        child_process.stop(process)


def decode_here(raw: bytes) -> PullResponse:
    """The careful way, as ``SyncClient.pull`` does it."""
    try:
        return PullResponse.model_validate_json(raw)
    except ValidationError:
        raise ProtocolError(200) from None


def head(raw: bytes) -> tuple[int, bool] | None:
    """(next cursor, has more) read from the start of a page as the server writes it,
    so the next page can be asked for before this one is decoded; None otherwise."""
    found = _HEAD.match(raw)
    if found is None:
        return None
    return int(found.group(1)), found.group(2) == b"true"


def _page(raw: bytes, envelope: decode_worker.Envelope, columns: decode_worker.Columns) -> Any:
    """A ``PullResponse`` built without validation (the child checked every field's
    type); its records are a ``DecodedPage``, which the page applier takes as is."""
    server_id, left, cursor, more, expected, restored = envelope
    return PullResponse.model_construct(
        server_id=uuid.UUID(server_id),
        records=cast(list[RecordState], DecodedPage(columns, RawPage(raw))),
        left_scope=[uuid.UUID(case) for case in left],
        next_cursor=cursor,
        has_more=more,
        expected=expected,
        restored=restored,
    )
