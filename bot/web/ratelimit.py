"""Rate limits of the web app, kept by the `limits` library: in Redis when REDIS_URL is set (so every
web-app replica counts against one shared limit), in memory otherwise (one process).

Why a moving window: a fixed window lets a script send twice the limit across a window boundary.
Why fail open when Redis is unreachable: the limiter guards capacity, not safety; refusing every
message (a risk message included) because the counter store is down would be the worse failure. The
error is logged (never the key: it may be a conversation id) and the request goes on.
"""
from __future__ import annotations

import logging
import math
from typing import Any, Optional

from fastapi.concurrency import run_in_threadpool
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

logger = logging.getLogger(__name__)


def make_storage(redis_url: Optional[str]) -> Any:
    """Redis (redis://, rediss:// for TLS, with any password in the URL) when configured, else memory."""
    return storage_from_string(redis_url) if redis_url else MemoryStorage()


class RateLimiter:
    """At most `limit` hits per `window` seconds for each key, counted in `storage`.

    `namespace` keeps the limits of different purposes (and of different tests sharing one Redis)
    apart: the stored key is LIMITER/<namespace>/<key>/..."""

    def __init__(self, limit: int, window: float, storage: Any = None, namespace: str = "limit") -> None:
        self.limit = limit
        self.window = window
        self._item = RateLimitItemPerSecond(limit, max(1, math.ceil(window)))
        self._storage = storage if storage is not None else MemoryStorage()
        self._strategy = MovingWindowRateLimiter(self._storage)
        self._namespace = namespace
        self._in_memory = isinstance(self._storage, MemoryStorage)

    def hit(self, key: str) -> bool:
        """Count one hit for `key`; False when it is over the limit (the hit is then not counted)."""
        try:
            return bool(self._strategy.hit(self._item, self._namespace, key))
        except Exception as error:  # noqa: BLE001 - see the module docstring: fail open, say so
            logger.error("rate limiter storage failed (%s): request allowed", type(error).__name__)
            return True

    async def hit_async(self, key: str) -> bool:
        """`hit` for async routes: a Redis round trip runs in the thread pool, off the event loop."""
        if self._in_memory:
            return self.hit(key)
        return await run_in_threadpool(self.hit, key)
