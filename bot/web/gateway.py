"""The chat gateway: the widget's only way to the assistant.

POST /api/chat/start     a conversation: its id and secret (cookie + body), or the one already held
POST /api/chat           one message in, the assistant's messages out (or the fallback)
GET  /api/chat/history   the conversation so far, from Rasa's tracker store
POST /api/chat/forget    forget the conversation on this device (clears the cookie)
GET  /api/widget-config  crisis resources and the notice, loaded by the widget at page load
GET  /api/status         whether the assistant answers, polled by the widget while reconnecting

Every route but widget-config needs the conversation's secret (bot.web.conversation): the HttpOnly
cookie the widget holds, or the X-Chat-Token header. No URL carries a conversation id, so none reaches
an access log.

Why every refusal still looks at the text: a refused message (too long, too fast, starting with "/")
never reaches Rasa's safety component, so the gateway assesses it and, if it is a risk message, shows
the crisis resources and records a case, like it does when Rasa is down.
"""
from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, Optional
from urllib.parse import urljoin

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from bot import handoff, push
from bot.case_identity import AT_RISK, RECEIVED_AT
from bot.web import conversation, texts
from bot.web.conversation import Conversation
from bot.web.fallback import Verdict, assess_text, flagged_by_rules, keep_unanswered, rasa_verdict
from bot.web.history import cursor_of, load_history
from bot.web.payloads import as_words
from bot.web.rasa_client import RasaUnavailable
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


# The start request carries at most a locale.
START_BODY_LIMIT = 1024


def valid_sender(sender_id: Any) -> bool:
    return isinstance(sender_id, str) and bool(SENDER_ID.match(sender_id))


def _no_conversation() -> JSONResponse:
    return _refusal(401, "no_conversation", texts.NO_CONVERSATION)


def _held(request: Request) -> Optional[Conversation]:
    """The conversation the request proves it holds (cookie or X-Chat-Token), or None."""
    held = web_state(request).tokens.from_request(request)
    return held if held is not None and valid_sender(held.id) else None


def _conversation(request: Request) -> Optional[str]:
    """The id of the conversation the request proves it holds, or None."""
    held = _held(request)
    return held.id if held else None


def _is_json(request: Request) -> bool:
    """POSTs must say they are JSON: that makes a browser ask first (CORS preflight), so a page on an
    origin the clinic did not list cannot send anything with the person's cookie."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


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
    web: WebState, request: Request, status: int, error: str, message: str, held: Conversation, text: str,
    headers: Optional[dict[str, str]] = None,
) -> JSONResponse:
    """A refusal; for a risk message it also carries the crisis resources, and a case is recorded.

    The work is capped before any assessment: only the first assess_max_chars characters are read,
    and an address sending refused messages faster than refused_assess_limit a minute gets the crisis
    resources with every refusal, unassessed (a script's flood costs nothing; a person still sees help)."""
    if not await web.refused_assess_limiter.hit_async(_client_address(request)):
        body = {"error": error, "message": message, "resources": web.resources.payload("crisis", held.locale)}
        return JSONResponse(body, status_code=status, headers=headers)
    verdict = await run_in_threadpool(assess_text, text[: web.options.assess_max_chars])
    if not verdict.flagged:
        return _refusal(status, error, message, headers)
    # Rate-limited senders can repeat quickly: one case per sender per window is enough for staff.
    record_case = error != "rate_limited" or await web.refused_case_limiter.hit_async(held.id)
    await run_in_threadpool(
        keep_unanswered, web.settings, web.unanswered, sender_id=held.id, text=text,
        reason=f"refused_{error}", verdict=verdict, record_case=record_case,
    )
    body = {
        "error": error,
        "message": message + texts.FLAGGED_REJECTED,
        "resources": web.resources.payload(verdict.resource_kind, held.locale, situation=verdict.situation, audience=verdict.audience),
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _client_address(request: Request) -> str:
    """The visitor's address (a trusted proxy's X-Forwarded-For is applied by bot/web/proxies.py)."""
    return (request.client.host if request.client and request.client.host else "unknown")[:64]


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


def _read_refusal(request: Request, sender_id: Optional[str]) -> Optional[JSONResponse]:
    """401 without a conversation; 429 when this conversation or address reads too often."""
    if sender_id is None:
        return _no_conversation()
    web = web_state(request)
    if not web.read_limiter.hit(sender_id) or not web.address_limiter.hit(_client_address(request)):
        return _refusal(429, "rate_limited", texts.TOO_FAST,
                        {"Retry-After": str(int(web.options.read_window_seconds))})
    return None


@router.post("/chat")
async def chat(request: Request) -> JSONResponse:
    """One message to the assistant; 200 with {"messages": [...]} or the fallback, 4xx when refused."""
    web = web_state(request)
    options = web.options
    if not _is_json(request):
        return _refusal(415, "bad_request", texts.BAD_REQUEST)
    held = _held(request)
    if held is None:
        return _no_conversation()
    sender_id, locale = held.id, held.locale
    too_long = _refusal(413, "too_long", texts.TOO_LONG.format(limit=options.max_message_chars))
    if _declared_length(request) > options.body_limit:
        return too_long  # refused before reading a byte of it
    try:
        body = await _read_body(request, options.body_limit)
    except _TooLarge:
        return too_long
    if body is None:
        return _refusal(400, "bad_request", texts.BAD_REQUEST)
    text = body.get("message")
    if "sender_id" in body and body["sender_id"] != sender_id:
        return _refusal(400, "bad_sender_id", texts.BAD_SENDER)  # an old client mixing conversations
    if not isinstance(text, str):
        return _refusal(400, "bad_request", texts.BAD_REQUEST)
    if not text.strip():
        return _refusal(400, "empty", texts.EMPTY)
    text = storable(text)

    address_ok = await web.address_limiter.hit_async(_client_address(request))
    if not address_ok or not await web.sender_limiter.hit_async(sender_id):
        retry = str(int(options.sender_window_seconds))
        return await _refuse_message(
            web, request, 429, "rate_limited", texts.TOO_FAST, held, text, headers={"Retry-After": retry}
        )
    if len(text) > options.max_message_chars:
        return await _refuse_message(
            web, request, 413, "too_long", texts.TOO_LONG.format(limit=options.max_message_chars), held, text
        )
    # words that happen to start with "/" go on without it (payloads.as_words): bouncing them costs a person the words
    text = as_words(text)
    if not text.strip():
        return await _refuse_message(web, request, 400, "slash_command", texts.SLASH, held, text)
    button = text.lstrip().startswith("/")
    if button:
        allowed = await run_in_threadpool(web.payloads.allows, text.strip(), sender_id)
        if not allowed:
            return await _refuse_message(web, request, 400, "slash_command", texts.SLASH, held, text)
        text = text.strip()

    received_at = time.time()  # sent along: the key of this message's case, whoever records it
    # Flagged before Rasa sees it: when this message starts a session, action_session_start must not open
    # with "How are you doing today?" before the crisis reply; the flag tells it to leave the introduction
    # to that reply. The rules' own flag: Rasa assesses the message fully itself, and the full assessment
    # here would hold a MiniLM session in the web app for every message (bot/web/fallback.py). On
    # tests/safety/corpus it flags the same 827 risk messages as the full assessment, and fewer ordinary
    # ones (35 instead of 50); a message only the learned model reads as risk would get the opening
    # first and the crisis reply right after it, in the same answer.
    flagged = await run_in_threadpool(flagged_by_rules, text)
    try:
        # The locale goes along: Rasa's action_session_start shows this conversation that locale's lines.
        metadata = {RECEIVED_AT: received_at, **({"locale": locale} if locale else {}),
                    **({AT_RISK: True} if flagged else {})}
        messages = await web.replicas.send(sender_id, text, options.rasa_timeout_seconds, web.rasa_http,
                                           metadata=metadata)
    except RasaUnavailable as unavailable:
        verdict = await run_in_threadpool(assess_text, text)  # the full assessment: rules and model
        return await _fallback(web, held, text, unavailable.reason, received_at, verdict)
    body: dict[str, Any] = {"messages": await _with_resources_if_at_risk(web, held, text, received_at, messages,
                                                                          button)}
    # A paused conversation (staff joined) is the only one Rasa answers with nothing, so the handoff
    # table is read only then, not on every message.
    present = await run_in_threadpool(handoff.state_for_person, web.settings, sender_id) if not messages else None
    if present and present["present"]:
        # Rasa logged the message (safety component included) without replying: the case of a flagged
        # message is recorded now, and the staff member's console sees the message at once.
        await run_in_threadpool(handoff.record_flagged_message, web.settings, sender_id)
        body["handoff"] = present
    push.notify(sender_id)
    return JSONResponse(body)


def _has_resources_card(messages: list[dict[str, Any]]) -> bool:
    return any(
        isinstance(m.get("custom"), dict) and m["custom"].get("type") == "crisis_resources" for m in messages
    )


async def _with_resources_if_at_risk(
    web: WebState, held: Conversation, text: str, received_at: float, messages: list[dict[str, Any]],
    button: bool = False,
) -> list[dict[str, Any]]:
    """Defence in depth: a risk message never leaves without the resources card, whatever the dialogue
    did (e.g. a conversation whose first message arrived while the action server was down, so Rasa
    could only answer with its fallback). The case itself comes from the tracker store (reconciler).

    A reply without the card is checked against the verdict Rasa's safety component stored with the
    message (rules and model); when it cannot be read (no such event, database trouble, a Rasa without
    the component), against the full assessment here, never against the rules alone.

    `button`: the text is the payload of a button the assistant offered (bot/web/payloads.py), words of
    the domain's, not the person's. Rasa stores no verdict for it (a payload skips its NLU), and the full
    assessment of every payload in the domain is "none" (tests/web/test_gateway_memory.py), so it is
    assessed fully only when a rule reads something in it: a button press builds no MiniLM session."""
    if _has_resources_card(messages):
        return messages
    verdict = await run_in_threadpool(rasa_verdict, web.settings, held.id, received_at)
    if verdict is None and button and not await run_in_threadpool(flagged_by_rules, text):
        return messages
    if verdict is None:
        verdict = await run_in_threadpool(assess_text, text)
    if not verdict.escalate:
        return messages
    return [*messages, {"custom": web.resources.payload(verdict.resource_kind, held.locale, situation=verdict.situation, audience=verdict.audience)}]


async def _fallback(web: WebState, held: Conversation, text: str, reason: str, received_at: float,
                    verdict: Verdict) -> JSONResponse:
    """Rasa is down or slow: say so, show the resources, and keep the message (and a case if flagged)."""
    await run_in_threadpool(
        keep_unanswered, web.settings, web.unanswered, sender_id=held.id, text=text,
        reason=reason, verdict=verdict, received_at=received_at,
    )
    resources = web.resources.payload(verdict.resource_kind, held.locale, situation=verdict.situation, audience=verdict.audience)
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


@router.post("/chat/start")
async def start(request: Request) -> JSONResponse:
    """The conversation this device holds, or a new one: {"conversation_id", "token", "new", "locale"}.

    Body {"locale": "en-GB"} (optional; the widget's data-locale): the conversation's locale, fixed for
    its life, for every card the gateway and the assistant show it (unknown: the clinic's). The token
    is set as the HttpOnly cookie (what the widget uses) and returned for other clients, which send it
    back in the X-Chat-Token header."""
    web = web_state(request)
    if not _is_json(request):
        return _refusal(415, "bad_request", texts.BAD_REQUEST)
    if not await web.address_limiter.hit_async(_client_address(request)):
        return _refusal(429, "rate_limited", texts.TOO_FAST,
                        {"Retry-After": str(int(web.options.address_window_seconds))})
    try:
        body = await _read_body(request, START_BODY_LIMIT) or {}
    except _TooLarge:
        return _refusal(413, "bad_request", texts.BAD_REQUEST)
    held = _held(request)
    new = held is None
    if held is None:
        asked = body.get("locale") if isinstance(body.get("locale"), str) else None
        locale = await run_in_threadpool(web.resources.resolve, asked)  # may read a resource file once
        held = Conversation(conversation.new_conversation_id(),
                            None if locale == web.resources.default_locale else locale)
    token = web.tokens.sign(held.id, held.locale)
    response = JSONResponse({"conversation_id": held.id, "token": token, "new": new,
                             "locale": held.locale or web.resources.default_locale},
                            status_code=201 if new else 200)
    conversation.set_cookie(response, request, token, web.settings.conversations.retention_days * 86400)
    return response


@router.post("/chat/forget")
def forget(request: Request) -> Response:
    """"New chat": this device no longer holds the conversation (the transcript itself is kept, for
    retention_days, like any other)."""
    response = Response(status_code=204)
    conversation.clear_cookie(response, request)
    return response


@router.get("/chat/history")
def history(request: Request) -> JSONResponse:
    """The conversation so far (user and bot messages, oldest first) for the widget after a reload."""
    sender_id = _conversation(request)
    refused = _read_refusal(request, sender_id)
    if refused is not None:
        return refused
    web = web_state(request)
    return JSONResponse({
        "messages": load_history(web.settings, sender_id, web.options.history_limit),
        # Where the widget's push channel starts, and whether a person from the clinic is in the chat.
        "cursor": cursor_of(web.settings, sender_id),
        "handoff": handoff.state_for_person(web.settings, sender_id),
    })


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
    refused = await run_in_threadpool(_read_refusal, request, _conversation(request))  # Redis: off the loop
    if refused is not None:
        return refused
    web = web_state(request)
    return JSONResponse({"assistant_available": await web.replicas.any_available(web.rasa_http)})
