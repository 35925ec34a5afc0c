"""The sync client: change capture, transport, push and pull (docs/sync-protocol.md).

Importing this package registers change capture on every SQLAlchemy ``Session``, so
an edit made through the ORM always reaches the outbox in its own transaction.
"""

import app.sync.capture  # noqa: F401  (registers the capture listener)
