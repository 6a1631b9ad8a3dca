"""A small client for the web app's public chat API, as the widget uses it: the load tool and the tests
talk to the web app only through here.

Why one helper: how a conversation is started and proven (today: POST /api/chat/start hands out the
conversation's id and secret, sent back in the X-Chat-Token header) changes in one place, not in every
test and tool. A client instance is one person; it may hold several conversations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import httpx

CRISIS_CARD = "crisis_resources"


@dataclass
class Reply:
    """One answer of POST /api/chat."""

    status: int
    body: dict[str, Any]
    seconds: float = 0.0

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.body.get("messages")
        return messages if isinstance(messages, list) else []

    @property
    def text(self) -> str:
        return " ".join(m.get("text", "") for m in self.messages if isinstance(m.get("text"), str))

    @property
    def cards(self) -> list[dict[str, Any]]:
        """Every crisis-resources card in the answer (in the messages, or beside a refusal/fallback)."""
        found = [m["custom"] for m in self.messages
                 if isinstance(m.get("custom"), dict) and m["custom"].get("type") == CRISIS_CARD]
        extra = self.body.get("resources")
        if isinstance(extra, dict) and extra.get("type") == CRISIS_CARD:
            found.append(extra)
        return found

    @property
    def has_resources(self) -> bool:
        return bool(self.cards)

    @property
    def unavailable(self) -> bool:
        """The gateway answered by itself (Rasa down or slow)."""
        return bool(self.body.get("assistant_unavailable"))


TOKEN_HEADER = "X-Chat-Token"  # bot.web.conversation.HEADER_NAME; not imported, so the load tool needs no web app
START, CHAT, HISTORY, STATUS = "/api/chat/start", "/api/chat", "/api/chat/history", "/api/status"


def start_body(locale: Optional[str] = None) -> dict[str, str]:
    """POST /api/chat/start's body; `locale` (the widget's data-locale) fixes the crisis resources."""
    return {"locale": locale} if locale else {}


def started(response: Any) -> tuple[str, str]:
    """The conversation id and secret from POST /api/chat/start's answer."""
    response.raise_for_status()
    body = response.json()
    return body["conversation_id"], body["token"]


@dataclass
class _Conversations:
    """The secret the web app handed out for each conversation (POST /api/chat/start), sent back in the
    X-Chat-Token header. Cookies are not kept: one client may hold several conversations."""

    tokens: dict[str, str] = field(default_factory=dict)

    def started(self, response: httpx.Response) -> str:
        conversation_id, token = started(response)
        self.tokens[conversation_id] = token
        return conversation_id

    def for_sender(self, sender_id: Optional[str]) -> dict[str, str]:
        token = self.tokens.get(sender_id or "")
        return {TOKEN_HEADER: token} if token else {}


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"value": body}


class ChatClient:
    """Synchronous: for tests."""

    def __init__(self, base_url: str, timeout: float = 30.0, **client_options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout, **client_options)
        self.conversations = _Conversations()

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def new_conversation(self, locale: Optional[str] = None) -> str:
        """A new conversation (as the widget starts one); its id, which the other calls take."""
        response = self.http.post(START, json=start_body(locale))
        self.http.cookies.clear()
        return self.conversations.started(response)

    def say(self, sender_id: str, text: Any) -> Reply:
        response = self.http.post(CHAT, json={"message": text}, headers=self.conversations.for_sender(sender_id))
        return Reply(response.status_code, _body(response), response.elapsed.total_seconds())

    def post_raw(self, path: str, content: bytes, content_type: str = "application/json",
                 sender_id: Optional[str] = None) -> httpx.Response:
        """Any bytes to any path (bad-input tests)."""
        headers = {"Content-Type": content_type, **self.conversations.for_sender(sender_id)}
        return self.http.post(path, content=content, headers=headers)

    def history(self, sender_id: str) -> httpx.Response:
        return self.http.get(HISTORY, headers=self.conversations.for_sender(sender_id))

    def history_messages(self, sender_id: str) -> list[dict[str, Any]]:
        response = self.history(sender_id)
        response.raise_for_status()
        return response.json()["messages"]

    def status(self, sender_id: str) -> httpx.Response:
        return self.http.get(STATUS, headers=self.conversations.for_sender(sender_id))

    def assistant_available(self, sender_id: str) -> bool:
        response = self.status(sender_id)
        return response.status_code == 200 and response.json().get("assistant_available") is True

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.http.get(path, **options)


class AsyncChatClient:
    """Asynchronous: one per simulated person in the load tool."""

    def __init__(self, base_url: str, timeout: float = 30.0, **client_options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, **client_options)
        self.conversations = _Conversations()

    async def close(self) -> None:
        await self.http.aclose()

    async def new_conversation(self, locale: Optional[str] = None) -> str:
        response = await self.http.post(START, json=start_body(locale))
        self.http.cookies.clear()
        return self.conversations.started(response)

    async def say(self, sender_id: str, text: str) -> Reply:
        response = await self.http.post(CHAT, json={"message": text},
                                        headers=self.conversations.for_sender(sender_id))
        return Reply(response.status_code, _body(response), response.elapsed.total_seconds())

    async def history(self, sender_id: str) -> httpx.Response:
        return await self.http.get(HISTORY, headers=self.conversations.for_sender(sender_id))
