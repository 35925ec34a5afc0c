"""One registry of the server's settings, read from arguments or environment variables.

The CLI builds a ``ServerSettings`` and, for uvicorn workers, exports it as
``PASSERELLE_SERVER_*`` variables that :func:`server.asgi.app` reads back: nothing is a
module-level singleton, so tests start real servers with their own settings.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from passerelle_core.protocol import (
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    MIN_SUPPORTED_VERSION,
    PROTOCOL_VERSION,
)

ENV_PREFIX = "PASSERELLE_SERVER_"
APP_DIR_NAME = "PasserelleServer"
FALLBACK_DATA_DIR = Path("server-data")


def default_data_dir() -> Path:
    """The platform's user data folder, or ./server-data when there is no home folder."""
    try:
        return user_data_path(APP_DIR_NAME, appauthor=False)
    except (KeyError, RuntimeError, OSError):
        return FALLBACK_DATA_DIR


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # None: SQLite at <data_dir>/server.db
    tls_cert: Path | None = None
    tls_key: Path | None = None
    min_protocol_version: int = MIN_SUPPORTED_VERSION
    max_protocol_version: int = PROTOCOL_VERSION
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_push_changes: int = Field(default=MAX_PUSH_CHANGES, ge=1, le=MAX_PUSH_CHANGES)
    max_pull_limit: int = Field(default=MAX_PULL_LIMIT, ge=1, le=MAX_PULL_LIMIT)
    login_failures_per_user: int = Field(default=5, ge=1)
    # Higher than per user, so that one office behind one address is not locked out by
    # a colleague's typos; past it, blocks of login_address_backoff_seconds doubling.
    login_failures_per_address: int = Field(default=100, ge=1)
    login_window_seconds: int = Field(default=15 * 60, ge=1)
    login_address_backoff_seconds: int = Field(default=60, ge=1)
    # A device told to erase (or of a disabled account) may hand in what it recorded
    # before the order, once, within this many hours of it; then every call is refused.
    final_push_hours: int = Field(default=72, ge=0, le=24 * 365)
    # Argon2id cost (argon2-cffi's defaults); lower them only for tests.
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=64 * 1024, ge=8)
    password_parallelism: int = Field(default=4, ge=1)
    # Skip writing last_seen_at more often than this: most requests then stay read-only.
    last_seen_interval_seconds: int = Field(default=60, ge=0)
    # Device policy sent to laptops (GET /api/v1/policy): days a laptop may stay away
    # from the server and still unlock, wrong passphrases before its key is destroyed,
    # and how often it renews its device token.
    max_offline_days: int = Field(default=30, ge=1, le=3650)
    max_failed_unlocks: int = Field(default=10, ge=3, le=1000)
    token_rotation_days: int = Field(default=30, ge=1, le=3650)
    # k of the laptops' anonymised exports (PASSERELLE_SERVER_ANONYMITY_K): every
    # combination of quasi-identifiers in a case list is shared by at least k rows.
    anonymity_k: int = Field(default=5, ge=2, le=100)
    # The largest document a laptop may attach, in MiB (PASSERELLE_SERVER_MAX_DOCUMENT_MB):
    # sent to laptops in their policy, and refused by the document endpoints past it.
    max_document_mb: int = Field(default=20, ge=1, le=1024)
    # Likely duplicates (PASSERELLE_SERVER_DUPLICATE_THRESHOLD): pairs scoring at least
    # this (0-100) are proposed to the laptops' users.
    duplicate_threshold: int = Field(default=80, ge=50, le=100)
    # The longest auto-lock delay laptops' users may choose, in minutes
    # (PASSERELLE_SERVER_MAX_IDLE_LOCK_MINUTES); each user's own setting applies within it.
    max_idle_lock_minutes: int = Field(default=60, ge=1, le=240)
    # Requests per minute per client address (token bucket, per worker process), and the
    # burst allowed above that pace (an initial sync pulls many pages at once). One laptop
    # pulling a long delta asks for 30-40 pages a second on a quick server: the pace stays
    # above that (a laptop also waits out a 429's Retry-After, app/sync/client.py).
    rate_limit_per_minute: int = Field(default=3000, ge=1)
    rate_limit_burst: int = Field(default=300, ge=1)
    # PostgreSQL connections each worker process keeps open, and how many more it may
    # open at busy moments (closed again once returned: a new one costs PostgreSQL a
    # process and an authentication). One request holds one connection; past both, a
    # request waits for one. Mind PostgreSQL's max_connections (100 by default) across
    # workers: 2 workers use at most 40 with these.
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_max_overflow: int = Field(default=10, ge=0, le=200)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "server.db"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables, for worker processes to read back."""
        env = {}
        for name, value in self.model_dump().items():
            if value is not None:
                env[ENV_PREFIX + name.upper()] = str(value)
        return env
