"""The widget's side of a live handoff: what is new in the conversation, pushed or polled.

GET /api/chat/events?after=N   server-sent events (bot.web.stream): staff messages, notices, and
                               whether a person from the clinic is in the chat
GET /api/chat/updates?after=N  the same as one JSON answer, for the widget's polling fallback

Both need the conversation's secret (cookie or X-Chat-Token, as every chat route): no URL carries
a conversation id. They count against the same read limit as the history.

Only what the web app added during a handoff is sent (staff messages, "X has joined", "X has left",
the assistant's first words after it); the assistant's ordinary replies come in the answer to the
person's own message, as before.
"""
from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from bot import handoff
from bot.settings import Settings
from bot.web.history import live_updates
from bot.web.stream import event_stream, start_cursor
from bot.web.state import web_state

router = APIRouter(prefix="/api")


def _updates(settings: Settings, sender_id: str, after: int) -> dict[str, Any]:
    messages, cursor = live_updates(settings, sender_id, after)
    return {"messages": messages, "cursor": cursor, "handoff": handoff.state_for_person(settings, sender_id)}


def _held(request: Request) -> tuple[Optional[str], Optional[Response]]:
    """The conversation the request proves it holds, or the gateway's refusal (401, 429)."""
    from bot.web.gateway import _conversation, _read_refusal  # the gateway owns what a conversation is

    sender_id = _conversation(request)
    refused = _read_refusal(request, sender_id)
    return (None, refused) if refused is not None else (sender_id, None)


@router.get("/chat/updates")
async def updates(request: Request) -> Response:
    sender_id, refused = _held(request)
    if refused is not None or sender_id is None:
        return refused  # type: ignore[return-value]
    settings = web_state(request).settings
    return JSONResponse(await run_in_threadpool(_updates, settings, sender_id, start_cursor(request)))


@router.get("/chat/events")
async def events(request: Request) -> Response:
    sender_id, refused = _held(request)
    if refused is not None or sender_id is None:
        return refused  # type: ignore[return-value]
    settings = web_state(request).settings
    shown: dict[str, Any] = {"handoff": None}

    async def fetch(cursor: int) -> tuple[Optional[dict[str, Any]], int]:
        update = await run_in_threadpool(_updates, settings, sender_id, cursor)
        if not update["messages"] and update["handoff"] == shown["handoff"]:
            return None, update["cursor"]
        shown["handoff"] = update["handoff"]
        return update, update["cursor"]

    return event_stream(request, sender_id, fetch)
