"""The chat gateway: the widget's only way to the assistant.

POST /api/chat           one message in, the assistant's messages out (or the fallback)
GET  /api/chat/{id}/history   the conversation so far, from Rasa's tracker store
GET  /api/widget-config  crisis resources and the notice, loaded by the widget at page load
GET  /api/status         whether the assistant answers, polled by the widget while reconnecting

Why every refusal still looks at the text: a refused message (too long, too fast, starting with "/")
never reaches Rasa's safety component, so the gateway assesses it and, if it is a risk message, shows
the crisis resources and records a case, like it does when Rasa is down.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Optional
from urllib.parse import urljoin

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from bot.web import texts
from bot.web.fallback import assess_text, keep_unanswered
from bot.web.history import load_history
from bot.web.rasa_client import RasaUnavailable, is_available, send_message
from bot.web.state import WebState, web_state
from safety.situation import ABUSE

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api")

# The widget makes sender ids with crypto.getRandomValues as UUID version 4, lower case.
SENDER_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


# Characters no database column, log-free transcript or page should carry: C0 controls other than tab,
# newline and carriage return, DEL, and lone UTF-16 surrogates (valid in JSON "\ud800", not in UTF-8;
# PostgreSQL refuses NUL outright). Each becomes U+FFFD, so the rest of what the person said is kept.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable(text: str) -> str:
    return UNSTORABLE.sub("\ufffd", text)


def valid_sender(sender_id: Any) -> bool:
    return isinstance(sender_id, str) and bool(SENDER_ID.match(sender_id))


def _refusal(status: int, error: str, message: str, headers: Optional[dict[str, str]] = None) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


class _TooLarge(Exception):
    """The request body is over the byte limit."""


async def _read_body(request: Request, limit: int) -> Optional[dict[str, Any]]:
    """The JSON object in the body, or None when it is not one; oversized bodies are cut off unread."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"null")
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than Python's stack
        return None
    return body if isinstance(body, dict) else None


async def _refuse_message(
    web: WebState, status: int, error: str, message: str, sender_id: str, text: str,
    headers: Optional[dict[str, str]] = None,
) -> JSONResponse:
    """A refusal; for a risk message it also carries the crisis resources, and a case is recorded."""
    verdict = await run_in_threadpool(assess_text, text)
    if not verdict.flagged:
        return _refusal(status, error, message, headers)
    # Rate-limited senders can repeat quickly: one case per sender per window is enough for staff.
    record_case = error != "rate_limited" or web.refused_case_limiter.hit(sender_id)
    await run_in_threadpool(
        keep_unanswered, web.settings, web.unanswered, sender_id=sender_id, text=text,
        reason=f"refused_{error}", verdict=verdict, record_case=record_case,
    )
    body = {
        "error": error,
        "message": message + texts.FLAGGED_REJECTED,
        "resources": web.resources.payload(verdict.resource_kind, situation=verdict.situation),
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/chat")
async def chat(request: Request) -> JSONResponse:
    """One message to the assistant; 200 with {"messages": [...]} or the fallback, 4xx when refused."""
    web = web_state(request)
    options = web.options
    try:
        body = await _read_body(request, options.max_body_bytes)
    except _TooLarge:
        return _refusal(413, "too_long", texts.TOO_LONG.format(limit=options.max_message_chars))
    if body is None:
        return _refusal(400, "bad_request", texts.BAD_REQUEST)
    sender_id, text = body.get("sender_id"), body.get("message")
    if not valid_sender(sender_id):
        return _refusal(400, "bad_sender_id", texts.BAD_SENDER)
    if not isinstance(text, str):
        return _refusal(400, "bad_request", texts.BAD_REQUEST)
    if not text.strip():
        return _refusal(400, "empty", texts.EMPTY)
    text = storable(text)

    address_ok = web.address_limiter.hit(_client_address(request))
    if not address_ok or not web.sender_limiter.hit(sender_id):
        retry = str(int(options.sender_window_seconds))
        return await _refuse_message(
            web, 429, "rate_limited", texts.TOO_FAST, sender_id, text, headers={"Retry-After": retry}
        )
    if len(text) > options.max_message_chars:
        return await _refuse_message(
            web, 413, "too_long", texts.TOO_LONG.format(limit=options.max_message_chars), sender_id, text
        )
    if text.lstrip().startswith("/"):
        allowed = await run_in_threadpool(web.payloads.allows, text.strip(), sender_id)
        if not allowed:
            return await _refuse_message(web, 400, "slash_command", texts.SLASH, sender_id, text)
        text = text.strip()

    try:
        messages = await send_message(web.rasa_url, sender_id, text, options.rasa_timeout_seconds, web.rasa_http)
    except RasaUnavailable as unavailable:
        return await _fallback(web, sender_id, text, unavailable.reason)
    return JSONResponse({"messages": await _with_resources_if_at_risk(web, text, messages)})


def _has_resources_card(messages: list[dict[str, Any]]) -> bool:
    return any(
        isinstance(m.get("custom"), dict) and m["custom"].get("type") == "crisis_resources" for m in messages
    )


async def _with_resources_if_at_risk(web: WebState, text: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Defence in depth: a risk message never leaves without the resources card, whatever the dialogue
    did (e.g. a conversation whose first message arrived while the action server was down, so Rasa
    could only answer with its fallback). The case itself comes from the tracker store (reconciler)."""
    if _has_resources_card(messages):
        return messages
    verdict = await run_in_threadpool(assess_text, text)
    if not verdict.escalate:
        return messages
    return [*messages, {"custom": web.resources.payload(verdict.resource_kind, situation=verdict.situation)}]


async def _fallback(web: WebState, sender_id: str, text: str, reason: str) -> JSONResponse:
    """Rasa is down or slow: say so, show the resources, and keep the message (and a case if flagged)."""
    verdict = await run_in_threadpool(assess_text, text)  # CPU work: keep the event loop free
    await run_in_threadpool(
        keep_unanswered, web.settings, web.unanswered, sender_id=sender_id, text=text,
        reason=reason, verdict=verdict,
    )
    resources = web.resources.payload(verdict.resource_kind, situation=verdict.situation)
    if verdict.situation == ABUSE:
        notice = texts.UNAVAILABLE_ABUSE
    else:
        notice = texts.UNAVAILABLE_FLAGGED if verdict.flagged else texts.UNAVAILABLE
    logger.warning("assistant unavailable (%s): answered by the gateway", reason)
    return JSONResponse({
        "messages": [{"text": notice}, {"custom": resources}],
        "assistant_unavailable": True,
        "reason": reason,
        "resources": resources,
    })


@router.get("/chat/{sender_id}/history")
def history(sender_id: str, request: Request) -> JSONResponse:
    """The conversation so far (user and bot messages, oldest first) for the widget after a reload."""
    if not valid_sender(sender_id):
        return _refusal(400, "bad_sender_id", texts.BAD_SENDER)
    web = web_state(request)
    return JSONResponse({"messages": load_history(web.settings, sender_id, web.options.history_limit)})


def widget_config(web: WebState, base_url: str, locale: Optional[str] = None) -> dict[str, Any]:
    """Everything the widget needs before the first message; also inlined into the demo page."""
    settings = web.settings
    clinic = settings.clinic
    resolved = web.resources.resolve(locale)
    return {
        "clinic": {"name": clinic.name, "phone": clinic.phone, "opening_hours": clinic.opening_hours},
        "notice": texts.notice(settings),
        # Relative URLs are this web app's pages (the widget may sit on another site).
        "privacy_url": urljoin(base_url, clinic.privacy_url),
        "retention_days": settings.conversations.retention_days,
        "locale": resolved,
        "resources": web.resources.payload("crisis", resolved),
        "emergency_resources": web.resources.payload("emergency", resolved),
        "max_message_chars": web.options.max_message_chars,
        "reply_timeout_seconds": web.options.rasa_timeout_seconds,
    }


@router.get("/widget-config")
def get_widget_config(request: Request, locale: Optional[str] = None) -> JSONResponse:
    return JSONResponse(widget_config(web_state(request), str(request.base_url), locale))


@router.get("/status")
async def status(request: Request) -> JSONResponse:
    """{"assistant_available": bool}: the widget polls this (with backoff) to reconnect by itself."""
    web = web_state(request)
    return JSONResponse({"assistant_available": await is_available(web.rasa_url, web.rasa_http)})
