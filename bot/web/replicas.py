"""Which Rasa server replica takes a conversation's message, when several serve one tracker store.

Why sticky by conversation: any replica can take any message (the tracker is in the shared database and
Rasa's Redis lock store serialises one conversation's messages across replicas), but sending one
person's messages to one replica keeps the lock uncontended and their replies in order at no cost.
A stable hash of the sender id (not Python's per-process `hash`) gives every web-app replica the same
choice. When that replica cannot be reached at all, the next one takes the message; a replica that
timed out is not retried, because it may still process the message (a retry would answer it twice).
"""
from __future__ import annotations

import asyncio
import hashlib
from typing import Any, Optional, Sequence

import httpx

from bot.web.rasa_client import RasaUnavailable, is_available, send_message


class Replicas:
    """The Rasa servers' base URLs, in the configured order."""

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("at least one Rasa server URL is needed")
        self.urls = [url.rstrip("/") for url in urls]

    def for_sender(self, sender_id: str) -> list[str]:
        """Every replica, the one this conversation sticks to first."""
        first = int.from_bytes(hashlib.sha256(sender_id.encode()).digest()[:8], "big") % len(self.urls)
        return self.urls[first:] + self.urls[:first]

    async def send(self, sender_id: str, text: str, timeout: float,
                   client: Optional[httpx.AsyncClient] = None,
                   metadata: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
        """The bot's messages from the conversation's replica (or the next reachable one)."""
        unreachable: Optional[RasaUnavailable] = None
        for url in self.for_sender(sender_id):
            try:
                return await send_message(url, sender_id, text, timeout, client, metadata=metadata)
            except RasaUnavailable as error:
                if error.reason != "unreachable":
                    raise
                unreachable = error
        assert unreachable is not None
        raise unreachable

    async def any_available(self, client: Optional[httpx.AsyncClient] = None) -> bool:
        results = await asyncio.gather(*(is_available(url, client) for url in self.urls))
        return any(results)
