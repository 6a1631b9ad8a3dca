"""Wake-ups for the push channels (server-sent events) of one web-app process.

Why wake-ups and not a message bus: the transcript of record is Rasa's tracker store, and every
stream reads what is new there (by event id) about once a second, which also finds what other
web-app processes or Rasa replicas wrote. When this process itself wrote something (a staff message,
a join, a person's message it forwarded), `notify` wakes that conversation's streams at once, so
the other side sees it well within a second. No third-party service, nothing held only in memory.
"""
from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from typing import Optional

_lock = threading.Lock()
_waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = defaultdict(set)


def notify(sender_id: str) -> None:
    """Wake every stream of this conversation in this process; safe from any thread."""
    with _lock:
        waiters = list(_waiters.get(sender_id, ()))
    for loop, event in waiters:
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # that loop has closed (a stream that is ending)
            continue


async def wait(sender_id: str, timeout: float) -> bool:
    """Sleep until `notify(sender_id)` or `timeout` seconds; True when woken."""
    event = asyncio.Event()
    entry = (asyncio.get_running_loop(), event)
    with _lock:
        _waiters[sender_id].add(entry)
    try:
        await asyncio.wait_for(event.wait(), timeout)
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        with _lock:
            waiting: Optional[set] = _waiters.get(sender_id)
            if waiting is not None:
                waiting.discard(entry)
                if not waiting:
                    _waiters.pop(sender_id, None)
