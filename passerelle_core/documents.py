"""How a document's content travels (docs/sync-protocol.md, "Documents").

The description of a document is a synced record (``case_document``); its content
moves apart, after the records, in chunks of :data:`CHUNK_BYTES` through endpoints of
its own, so a large scan never slows the records down and neither side ever holds it
whole in memory:

- ``GET  /api/v1/documents/{id}`` -> :class:`DocumentStatus` (which chunks the server holds)
- ``PUT  /api/v1/documents/{id}/chunks/{n}`` raw bytes -> :class:`DocumentStatus`
- ``GET  /api/v1/documents/{id}/chunks/{n}`` -> raw bytes, once the content is complete

A chunk already held is skipped, so an interrupted transfer resumes where it stopped.
The server checks the SHA-256 the description states once the last chunk is in.
"""

from __future__ import annotations

import uuid

from passerelle_core.protocol import Message

CHUNK_BYTES = 1024 * 1024
"""Content is stored, sent and received in pieces of this size (the last one shorter)."""

MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
"""What a document may be, told by its content (never by its name)."""

DOCUMENTS_PATH = "/api/v1/documents"


def chunk_count(size: int) -> int:
    """How many chunks a content of ``size`` bytes has (an empty one still has one)."""
    return max(1, -(-size // CHUNK_BYTES))


class DocumentStatus(Message):
    """The server's side of one document's content."""

    document_id: uuid.UUID
    size: int
    chunks: int  # how many the whole content has
    received: list[int]  # the positions the server holds
    complete: bool  # every chunk in and the SHA-256 checked: others may download it
