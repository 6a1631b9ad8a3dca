"""A tiny client of the chat gateway's API, for any test (or tool) that talks to the web app.

The API (docs/widget.md, "The chat API"):
- POST /api/chat/start (Content-Type: application/json, body {} or {"locale": "en-GB"}):
  201 {"conversation_id", "token", "new", "locale"}
  and the HttpOnly cookie `clinic_chat`. Sent again with a valid cookie/header: 200, the same conversation.
- Every other chat route needs the conversation's secret: the `clinic_chat` cookie (browsers, the widget)
  or the header `X-Chat-Token: <token>` (everything else). Without it: 401 {"error": "no_conversation"}.
- POST /api/chat (Content-Type: application/json) {"message": "..."}: the assistant's messages.
- GET /api/chat/history, GET /api/status, POST /api/chat/forget (clears the cookie).

Two ways to use it:
    conversation_id, headers = start_conversation(client)          # through the API, like a widget
    client.post(CHAT, json={"message": "hi"}, headers=headers)

    headers = conversation_headers(settings, SENDER)                # a fixed id of your choosing
    client.get(HISTORY, headers=headers)
`conversation_headers` signs with the same key as a web app built from `settings` (BOT_SECRET_KEY or
the var directory's key file), so tests can keep known sender ids.
"""
from __future__ import annotations

from typing import Any, Optional

from bot.chat_client import CHAT, HISTORY, START, start_body, started
from bot.settings import Settings
from bot.web.conversation import HEADER_NAME, ConversationTokens, secret_key


def conversation_headers(settings: Settings, conversation_id: str) -> dict[str, str]:
    """The X-Chat-Token header proving `conversation_id` to a web app built from these settings."""
    return {HEADER_NAME: ConversationTokens(secret_key(settings)).sign(conversation_id)}


def start_conversation(client: Any, base_url: str = "", locale: Optional[str] = None) -> tuple[str, dict[str, str]]:
    """Start a conversation through the API (any httpx-like client); its id and the header to send.
    `locale` (e.g. "en-GB", the widget's data-locale) fixes the conversation's crisis resources."""
    conversation_id, token = started(client.post(f"{base_url}{START}", json=start_body(locale)))
    return conversation_id, {HEADER_NAME: token}


def send(client: Any, headers: dict[str, str], message: str, base_url: str = "",
         timeout: Optional[float] = None) -> Any:
    """POST one message of the conversation these headers prove; the httpx response."""
    extra = {"timeout": timeout} if timeout is not None else {}
    return client.post(f"{base_url}{CHAT}", json={"message": message}, headers=headers, **extra)


def in_process_headers(client: Any, conversation_id: str) -> dict[str, str]:
    """The X-Chat-Token header for a FastAPI TestClient's own app (no settings needed)."""
    return {HEADER_NAME: client.app.state.web.tokens.sign(conversation_id)}


def post_chat(client: Any, conversation_id: str, message: Any, **extra: Any) -> Any:
    """POST /api/chat to a TestClient's app as `conversation_id` (any message value, for bad input)."""
    return client.post(CHAT, json={"message": message},
                       headers=in_process_headers(client, conversation_id), **extra)


def get_history(client: Any, conversation_id: str) -> Any:
    """GET /api/chat/history of a TestClient's app as `conversation_id`."""
    return client.get(HISTORY, headers=in_process_headers(client, conversation_id))
