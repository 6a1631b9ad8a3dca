"""The objects every route shares, built once by `create_app` and kept on `app.state.web`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import httpx
from fastapi import Request

from bot.settings import Settings
from bot.web.conversation import ConversationTokens
from bot.web.options import WebOptions
from bot.web.payloads import PayloadGuard
from bot.web.ratelimit import RateLimiter
from bot.web.resources import ResourceCatalog
from bot.web.unanswered import UnansweredStore


@dataclass
class WebState:
    settings: Settings
    options: WebOptions
    rasa_url: str
    resources: ResourceCatalog
    unanswered: UnansweredStore
    payloads: PayloadGuard
    # Signs conversation ids into the secret the widget holds (bot/web/conversation.py).
    tokens: ConversationTokens
    sender_limiter: RateLimiter
    address_limiter: RateLimiter
    # History and status requests per conversation.
    read_limiter: RateLimiter
    # Refused messages whose text is assessed, per address (beyond: resources without assessment).
    refused_assess_limiter: RateLimiter
    # Senders whose refused (rate-limited) risk message already produced a case recently.
    refused_case_limiter: RateLimiter
    # Console sign-in attempts per client address.
    sign_in_limiter: RateLimiter
    # One HTTP client for all calls to Rasa while the app runs (set by the app's lifespan): creating a
    # client builds a TLS context, about 20 ms of CPU, which per message was most of the web app's work.
    rasa_http: Optional[httpx.AsyncClient] = None


def web_state(request: Request) -> WebState:
    return request.app.state.web
