"""Talking to Rasa's REST channel, and keeping only what the widget renders from its answer.

Why only text, buttons and custom payloads: those are the three things the widget can show safely
(as text, as quick-reply buttons, as known card types); anything else Rasa might send is dropped
rather than rendered in an unknown way.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

import httpx

STATUS_TIMEOUT_SECONDS = 3.0


class RasaUnavailable(Exception):
    """Rasa did not answer usefully in time; `reason` is "timeout", "unreachable" or "error"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    cleaned = []
    for button in buttons if isinstance(buttons, list) else []:
        if isinstance(button, dict) and isinstance(button.get("title"), str) and isinstance(
            button.get("payload"), str
        ):
            cleaned.append({"title": button["title"], "payload": button["payload"]})
    return cleaned


def clean_message(message: Any) -> Optional[dict[str, Any]]:
    """One bot message as the widget gets it: any of "text", "buttons", "custom"; None when empty."""
    if not isinstance(message, dict):
        return None
    cleaned: dict[str, Any] = {}
    if isinstance(message.get("text"), str) and message["text"]:
        cleaned["text"] = message["text"]
    buttons = clean_buttons(message.get("buttons"))
    if buttons:
        cleaned["buttons"] = buttons
    if isinstance(message.get("custom"), dict):
        cleaned["custom"] = message["custom"]
    return cleaned or None


@asynccontextmanager
async def _client(shared: Optional[httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    """The app's shared client (kept open), or a client for this one call (closed after it)."""
    if shared is not None:
        yield shared
        return
    async with httpx.AsyncClient() as client:
        yield client


async def send_message(
    rasa_url: str, sender_id: str, text: str, timeout: float, client: Optional[httpx.AsyncClient] = None,
    metadata: Optional[dict[str, Any]] = None,
) -> list[dict[str, Any]]:
    """POST one message to the REST channel; the bot's messages, or RasaUnavailable.

    `metadata` is stored with the user event in the tracker (the gateway's arrival stamp, which keys
    the message's case: bot/case_identity.py)."""
    try:
        async with _client(client) as http:
            # httpx's timeout is per phase (connect, each read); wait_for caps the whole exchange.
            response = await asyncio.wait_for(
                http.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender_id, "message": text, "metadata": metadata or {}},
                          timeout=httpx.Timeout(timeout)),
                timeout,
            )
    except (httpx.TimeoutException, asyncio.TimeoutError):
        raise RasaUnavailable("timeout") from None
    except httpx.TransportError:
        raise RasaUnavailable("unreachable") from None
    if response.status_code != 200:
        raise RasaUnavailable("error")
    try:
        body = response.json()
    except ValueError:
        raise RasaUnavailable("error") from None
    if not isinstance(body, list):
        raise RasaUnavailable("error")
    return [m for m in (clean_message(item) for item in body) if m]


async def is_available(rasa_url: str, client: Optional[httpx.AsyncClient] = None) -> bool:
    """True when the Rasa server answers its root URL."""
    try:
        async with _client(client) as http:
            response = await http.get(f"{rasa_url}/", timeout=STATUS_TIMEOUT_SECONDS)
    except httpx.HTTPError:
        return False
    return response.status_code == 200
