"""Alembic migrations of the server database (run by ``serve`` and the admin commands)."""
