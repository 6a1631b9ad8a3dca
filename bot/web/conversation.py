"""Which conversation a chat request belongs to, proven by a secret the widget holds.

Why a secret beside the id: the id alone used to be enough to read a transcript, and it sat in the
clinic page's localStorage (readable by every third-party script on that page) and in URL paths (the
access log). Now the web app signs the conversation id it makes (HMAC, itsdangerous) and hands the
signed token back in an HttpOnly cookie scoped to /api on the web app's own host, so no script on the
clinic's page can read it and no URL carries it. Clients that are not browsers (tests, load tools) send
the same token in the `X-Chat-Token` header instead.

The signing key comes from BOT_SECRET_KEY (set it, the same on every replica) or, when unset, from a
key file made once in the var directory (owner-only), which suits a single machine.
"""
from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer

from bot.settings import Settings

COOKIE_NAME = "clinic_chat"
# The cookie is sent to the chat API only (not to the demo page, the console or static files).
COOKIE_PATH = "/api"
HEADER_NAME = "X-Chat-Token"
SECRET_KEY_ENV = "BOT_SECRET_KEY"
KEY_FILE_NAME = "secret_key"
_SALT = "clinic-chat-conversation"


def new_conversation_id() -> str:
    """A random UUID version 4, the conversation's id (Rasa's sender id)."""
    return str(uuid.uuid4())


def _key_file(settings: Settings) -> Path:
    return settings.var_dir / KEY_FILE_NAME


def secret_key(settings: Settings, environ: Optional[dict[str, str]] = None) -> str:
    """BOT_SECRET_KEY, else the var directory's key file (made owner-only on first use)."""
    environ = os.environ if environ is None else environ
    if environ.get(SECRET_KEY_ENV):
        return environ[SECRET_KEY_ENV]
    path = _key_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on one key (the loser reads the winner's).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        key = secrets.token_urlsafe(32)
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class Conversation:
    """A conversation a request proved it holds: its id (Rasa's sender id) and its locale (the
    widget's data-locale as resolved at start, None: the clinic's), used for every card it is shown."""

    id: str
    locale: Optional[str] = None


class ConversationTokens:
    """Signs conversations into tokens and reads them back (None when forged or malformed)."""

    def __init__(self, key: str) -> None:
        self._serializer = URLSafeSerializer(key, salt=_SALT)

    def sign(self, conversation_id: str, locale: Optional[str] = None) -> str:
        return self._serializer.dumps([conversation_id, locale] if locale else conversation_id)

    def read(self, token: Optional[str]) -> Optional[Conversation]:
        if not token or len(token) > 300:
            return None
        try:
            value = self._serializer.loads(token)
        except BadSignature:
            return None
        if isinstance(value, str):
            return Conversation(value)
        if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                and isinstance(value[1], (str, type(None)))):
            return Conversation(value[0], value[1])
        return None

    def conversation_id(self, token: Optional[str]) -> Optional[str]:
        conversation = self.read(token)
        return conversation.id if conversation else None

    def from_request(self, request: Request) -> Optional[Conversation]:
        """The conversation proven by the request's header or cookie (the header wins), or None."""
        return self.read(request.headers.get(HEADER_NAME) or request.cookies.get(COOKIE_NAME))


def set_cookie(response, request: Request, token: str, max_age_seconds: int) -> None:  # type: ignore[no-untyped-def]
    """HttpOnly, /api only. Over HTTPS SameSite=None + Secure + Partitioned so a widget on another site
    keeps it (partitioned per clinic site); over plain HTTP (a developer's machine) SameSite=Lax."""
    https = is_https(request)
    response.set_cookie(
        COOKIE_NAME, token, max_age=max_age_seconds, path=COOKIE_PATH, httponly=True,
        secure=https, samesite="none" if https else "lax",
    )
    if https:
        # Starlette 0.41 has no `partitioned` argument: add the attribute to the header it wrote.
        headers = response.raw_headers
        for index in range(len(headers) - 1, -1, -1):
            name, value = headers[index]
            if name == b"set-cookie" and value.startswith(COOKIE_NAME.encode() + b"="):
                headers[index] = (name, value + b"; Partitioned")
                break


def clear_cookie(response, request: Request) -> None:  # type: ignore[no-untyped-def]
    https = is_https(request)
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, secure=https,
                           samesite="none" if https else "lax")


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"
