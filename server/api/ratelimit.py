"""A token bucket per client address: the request rate limit (429) of the middleware.

Kept in memory, per worker process: it is a brake on floods and scripted guessing, not
an accounting system (failed logins have their own limit, counted in the database by
:mod:`server.services.throttle`). Addresses are never logged.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_TRACKED = 10_000


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Take one token for ``key``: None if allowed, else whole seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, updated = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil((1.0 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_TRACKED:
                self._forget_full(now)
            return None

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled: they behave exactly like unknown keys."""
        for key, (tokens, updated) in list(self._buckets.items()):
            if tokens + (now - updated) * self.rate >= self.burst:
                del self._buckets[key]
