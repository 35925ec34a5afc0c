"""The central sync server of Passerelle (FastAPI): accounts, devices, push and pull.

Shares only :mod:`passerelle_core` with the laptops (the protocol schemas, the record
catalogue, the role table, the erasure rules) and imports nothing of the desktop
client; its own tables live in ``server.core.tables``. See docs/sync-protocol.md.
"""
