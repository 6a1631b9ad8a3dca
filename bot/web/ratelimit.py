"""A sliding-window rate limiter kept in memory.

Why in memory: the web app runs as one process next to Rasa; a shared store (Redis) would only matter
with several web replicas, and then each replica limiting on its own is still a useful bound.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

# Keys idle longer than this are forgotten, so the table cannot grow without bound.
_PRUNE_EVERY = 1000


class RateLimiter:
    """Allows at most `limit` hits per `window` seconds for each key."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def hit(self, key: str) -> bool:
        """Count one hit for `key`; False when it is over the limit (the hit is then not counted)."""
        now = self._clock()
        with self._lock:
            self._calls += 1
            if self._calls % _PRUNE_EVERY == 0:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _prune(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[key]
