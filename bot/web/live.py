"""The widget's side of a live handoff: what is new in the conversation, pushed or polled.

GET /api/chat/{id}/events?after=N   server-sent events (bot.web.stream): staff messages, notices, and
                                    whether a person from the clinic is in the chat
GET /api/chat/{id}/updates?after=N  the same as one JSON answer, for the widget's polling fallback

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
from bot.web import texts
from bot.web.history import live_updates
from bot.web.stream import event_stream, start_cursor
from bot.web.state import web_state

router = APIRouter(prefix="/api")


def _updates(settings: Settings, sender_id: str, after: int) -> dict[str, Any]:
    messages, cursor = live_updates(settings, sender_id, after)
    return {"messages": messages, "cursor": cursor, "handoff": handoff.state_for_person(settings, sender_id)}


def _refused(sender_id: str, request: Request) -> Optional[Response]:
    from bot.web.gateway import valid_sender  # the gateway owns what a conversation id is

    if not valid_sender(sender_id):
        return JSONResponse({"error": "bad_sender_id", "message": texts.BAD_SENDER}, status_code=400)
    return None


@router.get("/chat/{sender_id}/updates")
async def updates(sender_id: str, request: Request) -> Response:
    refused = _refused(sender_id, request)
    if refused:
        return refused
    settings = web_state(request).settings
    return JSONResponse(await run_in_threadpool(_updates, settings, sender_id, start_cursor(request)))


@router.get("/chat/{sender_id}/events")
async def events(sender_id: str, request: Request) -> Response:
    refused = _refused(sender_id, request)
    if refused:
        return refused
    settings = web_state(request).settings
    shown: dict[str, Any] = {"handoff": None}

    async def fetch(cursor: int) -> tuple[Optional[dict[str, Any]], int]:
        update = await run_in_threadpool(_updates, settings, sender_id, cursor)
        if not update["messages"] and update["handoff"] == shown["handoff"]:
            return None, update["cursor"]
        shown["handoff"] = update["handoff"]
        return update, update["cursor"]

    return event_stream(request, sender_id, fetch)
