"""Server-sent events: the push channel of the widget and of the console during a live handoff.

Why server-sent events: one-way pushes over plain HTTP (no extra library, through proxies, with the
browser's own reconnection and Last-Event-ID); what the other side sends goes over ordinary POSTs.
Every stream re-reads the tracker store about once a second and is woken at once by `bot.push` when
this process wrote something, so it works with several web-app processes and Rasa replicas. Streams
end after a few minutes and the browser reconnects, so a stream never outlives a signed-out session
by long, and a shutdown never waits on them.
"""
from __future__ import annotations

import json
import time
from typing import Any, AsyncIterator, Awaitable, Callable, Optional

from fastapi import Request
from fastapi.responses import StreamingResponse

from bot import push

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
MAX_STREAM_SECONDS = 300.0
# What one read returns: (payload to send or None when nothing new, next cursor).
Fetch = Callable[[int], Awaitable[tuple[Optional[dict[str, Any]], int]]]


def start_cursor(request: Request) -> int:
    """Where to start: the browser's Last-Event-ID after a reconnection, else ?after=N, else 0."""
    for raw in (request.headers.get("last-event-id"), request.query_params.get("after")):
        try:
            if raw is not None and int(raw) >= 0:
                return int(raw)
        except ValueError:
            continue
    return 0


async def _events(request: Request, sender_id: str, fetch: Fetch, cursor: int) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < MAX_STREAM_SECONDS:
        if await request.is_disconnected():
            return
        payload, cursor = await fetch(cursor)
        if payload is not None:
            yield f"id: {cursor}\nevent: update\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
            yield ": still here\n\n"
            last_sent = time.monotonic()
        await push.wait(sender_id, POLL_SECONDS)


def event_stream(request: Request, sender_id: str, fetch: Fetch) -> StreamingResponse:
    return StreamingResponse(
        _events(request, sender_id, fetch, start_cursor(request)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
