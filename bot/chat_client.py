"""A small client for the web app's public chat API, as the widget uses it: the load tool and the tests
talk to the web app only through here.

Why one helper: what a conversation needs besides its sender id (e.g. a per-conversation secret the
gateway hands out with the first answer) changes in one place, not in every test and tool.
A client instance is one person (one browser): it keeps what the web app gives each conversation.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

import httpx

CRISIS_CARD = "crisis_resources"


def new_sender_id() -> str:
    """A sender id as the widget makes it (UUID version 4, lower case)."""
    return str(uuid.uuid4())


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


@dataclass
class _Conversations:
    """What the web app handed out per conversation (headers to send back), besides cookies."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def remember(self, sender_id: str, response: httpx.Response) -> None:
        token = response.headers.get("X-Conversation-Secret")
        if token:
            self.headers[sender_id] = {"X-Conversation-Secret": token}

    def for_sender(self, sender_id: str) -> dict[str, str]:
        return self.headers.get(sender_id, {})


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

    def say(self, sender_id: str, text: Any) -> Reply:
        response = self.http.post("/api/chat", json={"sender_id": sender_id, "message": text},
                                  headers=self.conversations.for_sender(sender_id))
        self.conversations.remember(sender_id, response)
        return Reply(response.status_code, _body(response), response.elapsed.total_seconds())

    def post_raw(self, path: str, content: bytes, content_type: str = "application/json",
                 sender_id: Optional[str] = None) -> httpx.Response:
        """Any bytes to any path (bad-input tests)."""
        headers = {"Content-Type": content_type, **(self.conversations.for_sender(sender_id) if sender_id else {})}
        return self.http.post(path, content=content, headers=headers)

    def history(self, sender_id: str) -> httpx.Response:
        return self.http.get(f"/api/chat/{sender_id}/history", headers=self.conversations.for_sender(sender_id))

    def history_messages(self, sender_id: str) -> list[dict[str, Any]]:
        response = self.history(sender_id)
        response.raise_for_status()
        return response.json()["messages"]

    def status(self) -> httpx.Response:
        return self.http.get("/api/status")

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

    async def say(self, sender_id: str, text: str) -> Reply:
        response = await self.http.post("/api/chat", json={"sender_id": sender_id, "message": text},
                                        headers=self.conversations.for_sender(sender_id))
        self.conversations.remember(sender_id, response)
        return Reply(response.status_code, _body(response), response.elapsed.total_seconds())

    async def history(self, sender_id: str) -> httpx.Response:
        return await self.http.get(f"/api/chat/{sender_id}/history",
                                   headers=self.conversations.for_sender(sender_id))
