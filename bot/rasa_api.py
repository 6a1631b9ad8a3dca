"""Rasa's HTTP API, as the web app uses it for live handoff: append events to a conversation.

Why Rasa's own events: `ConversationPaused` makes Rasa log each new message (the NLU pipeline, with
the safety component, still runs) without predicting a reply, and `ConversationResumed` ends that.
The pause lives in the tracker store, which every Rasa replica reads, so no replica answers a
paused conversation. Staff messages are `BotUttered` events with metadata naming the staff account,
so the tracker store stays the one transcript of record.

Synchronous on purpose: callers are console routes (run in the thread pool) and the hand-back
timer (a background thread).
"""
from __future__ import annotations

import time
from typing import Any, Optional
from urllib.parse import quote

import httpx

TIMEOUT_SECONDS = 10.0


class RasaApiError(Exception):
    """Rasa's HTTP API did not accept the events; nothing was changed in the conversation."""


def bot_event(text: str, handoff: dict[str, Any]) -> dict[str, Any]:
    """A bot utterance the web app adds; `handoff` (kind, and for staff messages who) goes in metadata."""
    return {"event": "bot", "text": text, "timestamp": time.time(), "metadata": {"handoff": handoff}}


PAUSE = {"event": "pause"}
RESUME = {"event": "resume"}


def append_events(
    rasa_url: str, token: str, sender_id: str, events: list[dict[str, Any]],
    client: Optional[httpx.Client] = None,
) -> None:
    """POST /conversations/{id}/tracker/events (under Rasa's lock for the conversation, all or nothing)."""
    url = f"{rasa_url.rstrip('/')}/conversations/{quote(sender_id, safe='')}/tracker/events"
    params = {"token": token, "include_events": "NONE"}
    stamped = [{**event, "timestamp": event.get("timestamp") or time.time()} for event in events]
    try:
        if client is not None:
            response = client.post(url, params=params, json=stamped, timeout=TIMEOUT_SECONDS)
        else:
            with httpx.Client() as own:
                response = own.post(url, params=params, json=stamped, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        raise RasaApiError(f"Rasa could not be reached ({type(error).__name__})") from None
    if response.status_code != 200:
        raise RasaApiError(f"Rasa refused the events (HTTP {response.status_code})")
