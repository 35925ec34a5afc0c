"""The sync client: change capture, transport, push and pull (docs/sync-protocol.md).

Change capture runs in the profile's flush pipeline (:mod:`app.services.flush_pipeline`,
installed on the profile's session factory): importing this package registers nothing.
"""
