"""The central sync server of Passerelle (FastAPI): accounts, devices, push and pull.

Shares only the protocol schemas (``app.sync.protocol``) and the model definitions
(``app.models`` through ``app.sync.records``) with the laptops; its own tables live in
``server.core.tables``. See docs/sync-protocol.md.
"""
