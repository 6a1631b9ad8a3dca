"""Console sign-in state: server-side sessions, cookies, CSRF, and the access checks every route makes.

Why server-side sessions: the cookie holds only a random token; the row (keyed by the token's sha256)
says who, which stage of sign-in, and until when. Ending the row (logout, idle timeout, disabled
account, password reset) ends the session at once, wherever the cookie is.

Every console route calls `authorise` first: without a session, pages redirect to the sign-in page
and API routes answer 401; a reviewer on an admin route gets 403. Every state-changing request also
passes `check_csrf` (a per-session token in a hidden field or the X-CSRF-Token header), else 403.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional
from urllib.parse import parse_qsl, quote

from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.models import Staff, StaffSession
from bot.settings import Settings
from bot.staff import aware, utcnow

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
COOKIE_PATH = "/console"
# A sign-in that stopped between the password and the code is forgotten after this.
PENDING_MINUTES = 10
# Requests that only look (polls) and must not count as activity for the idle timeout.
POLL_HEADER = "X-Console-Poll"
MAX_FORM_BYTES = 64 * 1024


class NotSignedIn(Exception):
    """No valid session: pages redirect to sign-in, the API answers 401."""

    def __init__(self, api: bool, next_url: str = "", stage: str = "") -> None:
        super().__init__("not signed in")
        self.api, self.next_url, self.stage = api, next_url, stage


class Forbidden(Exception):
    """Signed in, but not allowed here (a reviewer on an admin route, or a bad CSRF token): 403."""

    def __init__(self, api: bool, reason: str) -> None:
        super().__init__(reason)
        self.api, self.reason = api, reason


class BadForm(Exception):
    """A request body that is not a form we can read: 400."""


@dataclass
class Signed:
    """The signed-in staff member and their session, for one request."""

    member: Staff
    session: StaffSession
    settings: Settings

    @property
    def is_admin(self) -> bool:
        return self.member.role == "admin"

    @property
    def csrf(self) -> str:
        return self.session.csrf_token

    def idle_deadline(self) -> datetime:
        idle = self.session.last_seen_at and aware(self.session.last_seen_at)
        deadline = idle + timedelta(minutes=self.settings.console.idle_timeout_minutes)
        return min(deadline, aware(self.session.expires_at))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response, request: Request, name: str, value: str, max_age: Optional[int] = None) -> None:  # type: ignore[no-untyped-def]
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=is_https(request))


def clear_cookie(response, request: Request, name: str = SESSION_COOKIE) -> None:  # type: ignore[no-untyped-def]
    response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="strict", secure=is_https(request))


def start_session(db: Session, settings: Settings, member: Staff, stage: str, address: str) -> str:
    """A new session row; returns the cookie token (never stored itself)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = (timedelta(minutes=PENDING_MINUTES) if stage != "full"
                else timedelta(hours=settings.console.session_lifetime_hours))
    db.add(StaffSession(token_hash=token_hash(token), staff_id=member.id, stage=stage,
                        csrf_token=secrets.token_urlsafe(32), address=address, created_at=now,
                        last_seen_at=now, expires_at=now + lifetime))
    return token


def promote(db: Session, settings: Settings, old: StaffSession, member: Staff, address: str) -> str:
    """The second step succeeded: a fresh full session replaces the pending one (new token, so a
    token seen before sign-in finished is worth nothing)."""
    old.ended_at = utcnow()
    return start_session(db, settings, member, "full", address)


def _find_session(db: Session, request: Request) -> Optional[StaffSession]:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        return None
    return db.execute(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token), StaffSession.ended_at.is_(None))
    ).scalar_one_or_none()


def wants_api(request: Request) -> bool:
    return request.url.path.startswith("/console/api/")


def authorise(
    db: Session, settings: Settings, request: Request, *, admin: bool = False,
    stage: "str | tuple[str, ...]" = "full", poll: bool = False,
) -> Signed:
    """The signed-in member for this request, or NotSignedIn / Forbidden. Ends sessions that are idle,
    too old or belong to a disabled account (audited), and counts this request as activity unless it
    is a poll (the X-Console-Poll header, or `poll` for requests that cannot carry it, such as a push
    stream: an open page alone must not keep a session alive)."""
    api = wants_api(request)
    next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    row = _find_session(db, request)
    if row is None:
        raise NotSignedIn(api, next_url)
    member = db.get(Staff, row.staff_id)
    now = utcnow()
    idle_limit = timedelta(minutes=settings.console.idle_timeout_minutes)
    reason = None
    if member is None or member.disabled_at is not None:
        reason = "account disabled"
    elif aware(row.expires_at) <= now:
        reason = "session too old"
    elif aware(row.last_seen_at) + idle_limit <= now:
        reason = "idle"
    if reason:
        # Written in a transaction of its own: the caller's is rolled back when NotSignedIn propagates.
        with Session(db.get_bind(), future=True) as own, own.begin():
            own.execute(update(StaffSession).where(StaffSession.id == row.id).values(ended_at=now))
            audit.record(own, "session_expired", actor=member.email if member else "unknown",
                         target=member.email if member else None, address=client_address(request),
                         detail={"reason": reason})
        raise NotSignedIn(api, next_url)
    if row.stage not in ((stage,) if isinstance(stage, str) else stage):
        raise NotSignedIn(api, next_url, stage=row.stage)
    if admin and member.role != "admin":
        raise Forbidden(api, "This page is for admins.")
    if row.stage == "full" and not poll and request.headers.get(POLL_HEADER) != "1":
        row.last_seen_at = now
    return Signed(member, row, settings)


def check_csrf(signed_csrf: str, request: Request, form: Optional[dict[str, str]] = None) -> None:
    """403 unless the request carries this session's CSRF token (form field or header)."""
    sent = request.headers.get("X-CSRF-Token") or (form or {}).get("csrf_token") or ""
    if not sent or not secrets.compare_digest(sent.encode(), signed_csrf.encode()):
        raise Forbidden(wants_api(request), "The form had expired or did not come from this console. "
                        "Go back, reload the page and try again.")


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (what our forms send) as a dict; at most 64 kB."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BadForm("The form is too large.")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200))
    except (UnicodeDecodeError, ValueError):
        raise BadForm("The form could not be read.") from None


def login_url(next_url: str = "") -> str:
    safe = next_url if next_url.startswith("/console") and not next_url.startswith("//") else ""
    return "/console/login" + (f"?next={quote(safe, safe='/')}" if safe else "")
