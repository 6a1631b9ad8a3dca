"""Rasa's REST channel, as the web app's gateway needs it: a failed turn is an error, not a 200.

Why: Rasa's own REST channel catches every exception while it handles a message, logs the message's
text with it, and answers 200 with whatever replies it had collected so far. The gateway then cannot
tell that the turn failed (e.g. the tracker store could not save it), so nothing would keep the
message and a flagged one would get no case. This channel answers 503 instead (the gateway then shows
the resources and keeps the message itself) and logs the error's type, never the text.

Registered in credentials.yml by module path; its name stays "rest", so the URL is still
/webhooks/rest/webhook.
"""
from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id,
                                                 input_channel=self._extract_input_channel(request),
                                                 metadata=self.get_metadata(request)))
            except CancelledError:
                logger.error("rest: handling a message was cancelled")
                return response.json({"error": "cancelled"}, status=503)
            except Exception as error:  # noqa: BLE001 - the gateway falls back; the text stays out of logs
                logger.error("rest: handling a message failed: %s", type(error).__name__)
                return response.json({"error": "processing_failed"}, status=503)
            return response.json(collector.messages)

        return webhook
