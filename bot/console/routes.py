"""The staff review console's pages (server-rendered) and its small JSON API, under /console.

Every route starts with `auth.authorise` (session, stage of sign-in, role) and every state-changing
route with `auth.check_csrf`; reads of a transcript and every change are audited in the same
transaction as the change itself.
"""
from __future__ import annotations

import asyncio
import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Optional
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, staff, transcript
from bot.console import auth, cases
from bot.console.alerts import channels
from bot.console.auth import Signed
from bot.db import get_engine
from bot.models import CASE_STATUSES, ROLES, Staff
from bot.settings import Settings
from bot.web.pages import TEMPLATES
from bot.web.state import web_state

router = APIRouter(prefix="/console")


def _settings(request: Request) -> Settings:
    return web_state(request).settings


@contextmanager
def database(request: Request) -> Iterator[Session]:
    with Session(get_engine(_settings(request)), future=True) as db:
        yield db


def _local(value: Any, settings: Settings, fmt: str = "%d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(ZoneInfo(settings.clinic.timezone)).strftime(fmt)


def render(request: Request, template: str, context: dict[str, Any], signed: Optional[Signed] = None,
           db: Optional[Session] = None, status_code: int = 200) -> HTMLResponse:
    settings = _settings(request)
    context = {
        "clinic": settings.clinic,
        "signed": signed,
        "csrf": signed.csrf if signed else context.get("csrf", ""),
        "summary": cases.summary(db) if (db is not None and signed is not None) else None,
        "idle_deadline": signed.idle_deadline().isoformat() if signed else "",
        "idle_warning_seconds": settings.console.idle_warning_minutes * 60,
        "local": lambda value, fmt="%d %b %Y, %H:%M": _local(value, settings, fmt),
        "timezone": settings.clinic.timezone,
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, f"console/{template}", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _not_found(request: Request, signed: Signed, db: Session) -> HTMLResponse:
    return render(request, "message.html", {"title": "Case not found",
                  "message": "There is no case at this address. It may have been removed by the retention "
                             "schedule after it was closed."}, signed, db, status_code=404)


# --- error handling (registered on the app by install()) ----------------------------------------

def not_signed_in(request: Request, error: auth.NotSignedIn) -> Response:
    if error.api:
        return JSONResponse({"error": "not_signed_in", "message": "Sign in to the console first."}, status_code=401)
    if error.stage == "password":
        return _see_other("/console/login/code")
    if error.stage == "enrol":
        return _see_other("/console/two-step/setup")
    response = _see_other(auth.login_url(error.next_url))
    if request.cookies.get(auth.SESSION_COOKIE):
        auth.clear_cookie(response, request)
    return response


def forbidden(request: Request, error: auth.Forbidden) -> Response:
    if error.api:
        return JSONResponse({"error": "forbidden", "message": error.reason}, status_code=403)
    response = TEMPLATES.TemplateResponse(request, "console/message.html", {
        "clinic": _settings(request).clinic, "signed": None, "csrf": "", "summary": None, "idle_deadline": "",
        "title": "Not allowed", "message": error.reason, "back": "/console/cases"}, status_code=403)
    response.headers["Cache-Control"] = "no-store"
    return response


def bad_form(request: Request, error: auth.BadForm) -> Response:
    return JSONResponse({"error": "bad_request", "message": str(error)}, status_code=400)


def install(app) -> None:  # type: ignore[no-untyped-def]
    from bot.console import handoff_routes  # it builds on this module's helpers

    app.add_exception_handler(auth.NotSignedIn, not_signed_in)
    app.add_exception_handler(auth.Forbidden, forbidden)
    app.add_exception_handler(auth.BadForm, bad_form)
    app.include_router(router)
    app.include_router(handoff_routes.router)


def _live_context(request: Request, db: Session, case, me: Staff) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from bot.console.handoff_routes import case_join_context

    return case_join_context(request, db, case, me)


# --- sign-in -----------------------------------------------------------------------------------

def _login_page(request: Request, error: str = "", email: str = "", notice: str = "", status_code: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"csrf": token, "error": error, "email": email, "notice": notice,
                                              "next": request.query_params.get("next", "")}, status_code=status_code)
    auth.set_cookie(response, request, auth.LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.get("", include_in_schema=False)
def console_home() -> RedirectResponse:
    return _see_other("/console/cases")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    notice = {"signed_out": "You are signed out.", "expired": "You were signed out after a time without activity."}
    return _login_page(request, notice=notice.get(request.query_params.get("notice", ""), ""))


def _check_login_csrf(request: Request, form: dict[str, str]) -> None:
    cookie = request.cookies.get(auth.LOGIN_CSRF_COOKIE, "")
    if not cookie:
        raise auth.Forbidden(False, "The sign-in form had expired. Go back, reload the page and sign in again.")
    auth.check_csrf(cookie, request, form)


def _too_many_attempts(request: Request) -> Optional[Response]:
    """429 when this address has tried to sign in too often (many accounts, or codes)."""
    web = web_state(request)
    if web.sign_in_limiter.hit(auth.client_address(request)):
        return None
    minutes = int(web.options.sign_in_window_seconds // 60)
    response = _login_page(request, error=f"Too many sign-in attempts from this network. Wait {minutes} minutes, "
                                          "then try again.", status_code=429)
    response.headers["Retry-After"] = str(int(web.options.sign_in_window_seconds))
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await auth.read_form(request)
    _check_login_csrf(request, form)
    settings = _settings(request)
    address = auth.client_address(request)
    limited = _too_many_attempts(request)
    if limited:
        return limited
    email, password = form.get("email", "").strip(), form.get("password", "")

    def attempt() -> tuple[staff.SignInResult, Optional[str], str]:
        with database(request) as db, db.begin():
            result = staff.check_sign_in(db, settings, email, password, address)
            if not result.ok or result.member is None:
                return result, None, ""
            member = result.member
            if member.totp_secret:
                stage = "password"
            elif staff.two_step_required(member, settings):
                stage = "enrol"
            else:
                stage = "full"
                staff.signed_in(db, member, address, method="password")
            return result, auth.start_session(db, settings, member, stage, address), stage

    result, token, stage = await run_in_threadpool(attempt)
    if not token:
        await asyncio.sleep(result.delay)  # slows guessing down without holding a worker thread
        return _login_page(request, error=result.message, email=email, status_code=401)
    target = {"password": "/console/login/code", "enrol": "/console/two-step/setup"}.get(stage)
    next_url = form.get("next", "")
    if target is None:
        target = next_url if next_url.startswith("/console/") and not next_url.startswith("//") else "/console/cases"
    response = _see_other(target)
    auth.set_cookie(response, request, auth.SESSION_COOKIE, token)
    auth.clear_cookie(response, request, auth.LOGIN_CSRF_COOKIE)
    return response


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request) -> Response:
    with database(request) as db:
        signed = auth.authorise(db, _settings(request), request, stage="password")
        return render(request, "code.html", {"csrf": signed.csrf, "error": ""})


@router.post("/login/code")
async def code(request: Request) -> Response:
    form = await auth.read_form(request)
    settings = _settings(request)
    address = auth.client_address(request)
    limited = _too_many_attempts(request)
    if limited:
        return limited

    def attempt() -> tuple[Optional[str], str, float]:
        with database(request) as db, db.begin():
            signed = auth.authorise(db, settings, request, stage="password")
            auth.check_csrf(signed.csrf, request, form)
            member = signed.member
            if staff.is_locked(member):
                return None, "This account is locked after repeated failed sign-ins. Try again later.", 1.0
            entered = form.get("code", "")
            step = staff.totp_step(member.totp_secret or "", entered, member.totp_last_step)
            method = "password+code"
            if step is not None:
                member.totp_last_step = step
            elif staff.use_recovery_code(member, entered):
                method = "password+recovery code"
                audit.record(db, "recovery_code_used", staff=member, target=member.email, address=address,
                             detail={"remaining": len(member.recovery_codes or [])})
            else:
                member.failed_logins = (member.failed_logins or 0) + 1
                audit.record(db, "login_failed", actor=member.email, target=member.email, address=address,
                             detail={"reason": "code"})
                if member.failed_logins >= settings.console.lockout_after_failures:
                    member.locked_until = staff.utcnow() + timedelta(minutes=settings.console.lockout_minutes)
                    member.failed_logins = 0
                    signed.session.ended_at = staff.utcnow()
                    audit.record(db, "login_locked", actor=member.email, target=member.email, address=address)
                return None, "That code is not right (or was used already). Enter the newest code from your app.", \
                    staff.slow_down_seconds(member.failed_logins or 1)
            staff.signed_in(db, member, address, method=method)
            return auth.promote(db, settings, signed.session, member, address), "", 0.0

    token, error, delay = await run_in_threadpool(attempt)
    if token is None:
        await asyncio.sleep(delay)
        with database(request) as db:
            try:
                signed = auth.authorise(db, settings, request, stage="password")
            except auth.NotSignedIn:
                return _login_page(request, error=error, status_code=401)
            return render(request, "code.html", {"csrf": signed.csrf, "error": error}, status_code=401)
    response = _see_other("/console/cases")
    auth.set_cookie(response, request, auth.SESSION_COOKIE, token)
    return response


@router.get("/two-step/setup", response_class=HTMLResponse)
def setup_form(request: Request) -> Response:
    settings = _settings(request)
    with database(request) as db, db.begin():
        signed = auth.authorise(db, settings, request, stage=("enrol", "full"))
        if signed.member.totp_secret:
            return _see_other("/console/account")
        if not signed.session.pending_totp_secret:
            signed.session.pending_totp_secret = staff.new_totp_secret()
        secret = signed.session.pending_totp_secret
        return render(request, "setup.html", {
            "csrf": signed.csrf, "error": "", "secret": secret,
            "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            "uri": staff.provisioning_uri(secret, signed.member.email),
            "enrolling": signed.session.stage == "enrol",
        }, signed if signed.session.stage == "full" else None, db if signed.session.stage == "full" else None)


@router.post("/two-step/setup")
async def setup(request: Request) -> Response:
    form = await auth.read_form(request)
    settings = _settings(request)
    address = auth.client_address(request)

    def attempt() -> Response:
        with database(request) as db, db.begin():
            signed = auth.authorise(db, settings, request, stage=("enrol", "full"))
            auth.check_csrf(signed.csrf, request, form)
            secret = signed.session.pending_totp_secret
            step = staff.totp_step(secret or "", form.get("code", ""))
            if not secret or step is None:
                if not secret:
                    return _see_other("/console/two-step/setup")
                return render(request, "setup.html", {
                    "csrf": signed.csrf, "secret": secret, "error": "That code is not right. Check the key and "
                    "your device's clock, then enter the newest code.",
                    "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                    "uri": staff.provisioning_uri(secret, signed.member.email),
                    "enrolling": signed.session.stage == "enrol"}, status_code=400)
            codes = staff.enable_two_step(db, signed.member, secret, step, address)
            signed.session.pending_totp_secret = None
            token = None
            if signed.session.stage == "enrol":
                staff.signed_in(db, signed.member, address, method="password+code (set up)")
                token = auth.promote(db, settings, signed.session, signed.member, address)
            response = render(request, "recovery.html", {"csrf": signed.csrf, "codes": codes})
            if token:
                auth.set_cookie(response, request, auth.SESSION_COOKIE, token)
            return response

    return await run_in_threadpool(attempt)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await auth.read_form(request)
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request, stage=("full", "password", "enrol"))
        auth.check_csrf(signed.csrf, request, form)
        signed.session.ended_at = staff.utcnow()
        audit.record(db, "logout", staff=signed.member, target=signed.member.email,
                     address=auth.client_address(request))
    response = _see_other("/console/login?notice=signed_out")
    auth.clear_cookie(response, request)
    return response


# --- session keep-alive (idle warning) ----------------------------------------------------------

@router.get("/api/session")
def session_state(request: Request) -> JSONResponse:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        return JSONResponse({"idle_deadline": signed.idle_deadline().isoformat(), "email": signed.member.email})


@router.post("/api/session/extend")
def extend(request: Request) -> JSONResponse:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)  # counts as activity
        auth.check_csrf(signed.csrf, request)
        return JSONResponse({"idle_deadline": signed.idle_deadline().isoformat()})


# --- triage --------------------------------------------------------------------------------------

def _queue_filter(request: Request) -> cases.QueueFilter:
    params = request.query_params
    status = params.get("status", "open")
    kind = params.get("kind", "")
    return cases.QueueFilter(
        status=status if status in ("open", "all", *CASE_STATUSES) else "open",
        kind=kind if kind in cases.URGENCY else "",
        assignee=params.get("assignee", "")[:32],
    )


@router.get("/cases", response_class=HTMLResponse)
def queue_page(request: Request) -> Response:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        where = _queue_filter(request)
        rows = cases.queue(db, signed.member, where)
        members = db.execute(select(Staff).where(Staff.disabled_at.is_(None)).order_by(Staff.email)).scalars().all()
        return render(request, "queue.html", {
            "alerts_configured": bool(channels(_settings(request), "new_case")),
            "rows": rows, "where": where, "statuses": [(s, cases.status_words(s)) for s in CASE_STATUSES],
            "kinds": [(k, cases.kind_words(k)) for k in cases.URGENCY],
            "members": [(m.public_id, m.email) for m in members],
        }, signed, db)


@router.get("/api/cases")
def queue_api(request: Request) -> JSONResponse:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        return JSONResponse({"cases": cases.queue(db, signed.member, _queue_filter(request))})


@router.get("/api/summary")
def summary_api(request: Request) -> JSONResponse:
    with database(request) as db, db.begin():
        auth.authorise(db, _settings(request), request)
        return JSONResponse(cases.summary(db))


def _case_or_none(db: Session, public_id: str):  # type: ignore[no-untyped-def]
    return cases.by_public_id(db, public_id)


@router.get("/cases/{public_id}", response_class=HTMLResponse)
def case_page(public_id: str, request: Request) -> Response:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        case = _case_or_none(db, public_id)
        if case is None:
            return _not_found(request, signed, db)
        info = cases.detail(db, case, signed.member)
        cases.mark_viewing(db, case, signed.member)
        audit.record(db, "case_viewed", staff=signed.member, target=case.public_id,
                     address=auth.client_address(request), detail={"via": "page"})
        return render(request, "case.html", {"info": info, "error": "",
                                             **_live_context(request, db, case, signed.member)}, signed, db)


@router.get("/api/cases/{public_id}")
def case_api(public_id: str, request: Request) -> JSONResponse:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        case = _case_or_none(db, public_id)
        if case is None:
            return JSONResponse({"error": "not_found", "message": "There is no such case."}, status_code=404)
        info = cases.detail(db, case, signed.member)
        audit.record(db, "case_viewed", staff=signed.member, target=case.public_id,
                     address=auth.client_address(request), detail={"via": "api"})
        return JSONResponse(cases.as_json(info))


@router.post("/api/cases/{public_id}/presence")
def presence(public_id: str, request: Request) -> JSONResponse:
    """The case page says "still here" while open (a poll: it does not extend the idle timeout)."""
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        auth.check_csrf(signed.csrf, request)
        case = _case_or_none(db, public_id)
        if case is None:
            return JSONResponse({"error": "not_found", "message": "There is no such case."}, status_code=404)
        if request.query_params.get("leaving") == "1":
            cases.stop_viewing(db, case, signed.member)
        else:
            cases.mark_viewing(db, case, signed.member)
        others = [e for e in cases.viewers(db, [case.id]).get(case.id, []) if e != signed.member.email]
        return JSONResponse({"viewed_by": others, "status": case.status})


async def _case_change(request: Request, public_id: str, change) -> Response:  # type: ignore[no-untyped-def]
    form = await auth.read_form(request)

    def run() -> Response:
        with database(request) as db, db.begin():
            signed = auth.authorise(db, _settings(request), request)
            auth.check_csrf(signed.csrf, request, form)
            case = _case_or_none(db, public_id)
            if case is None:
                return _not_found(request, signed, db)
            try:
                change(db, case, signed.member, form, auth.client_address(request))
            except cases.CaseError as error:
                # cases.* check everything before changing anything: nothing of the refused change exists
                info = cases.detail(db, case, signed.member)
                return render(request, "case.html", {"info": info, "error": str(error),
                                                     **_live_context(request, db, case, signed.member)},
                              signed, db, status_code=400)
            return _see_other(f"/console/cases/{public_id}#{form.get('anchor', 'actions')}")

    return await run_in_threadpool(run)


@router.post("/cases/{public_id}/assign")
async def assign(public_id: str, request: Request) -> Response:
    return await _case_change(request, public_id,
                              lambda db, case, me, form, address: cases.assign_to_me(db, case, me, address))


@router.post("/cases/{public_id}/status")
async def status(public_id: str, request: Request) -> Response:
    return await _case_change(request, public_id, lambda db, case, me, form, address: cases.set_status(
        db, case, me, form.get("status", ""), address, form.get("rule")))


@router.post("/cases/{public_id}/notes")
async def note(public_id: str, request: Request) -> Response:
    return await _case_change(request, public_id, lambda db, case, me, form, address: cases.add_note(
        db, case, me, form.get("body", ""), address))


@router.get("/cases/{public_id}/export", response_class=HTMLResponse)
def export(public_id: str, request: Request) -> Response:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        case = _case_or_none(db, public_id)
        if case is None:
            return _not_found(request, signed, db)
        info = cases.detail(db, case, signed.member)
        audit.record(db, "case_exported", staff=signed.member, target=case.public_id,
                     address=auth.client_address(request))
        return render(request, "export.html", {"info": info, "printed_at": staff.utcnow()}, signed, db)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request) -> Response:
    """Find the cases of a conversation by (part of) its id, e.g. one a person read out on the phone."""
    fragment = request.query_params.get("conversation", "").strip()[:64]
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        found: list[dict[str, Any]] = []
        if len(fragment) >= 4:
            senders = transcript.search_senders(db.connection(), fragment)
            rows = cases.queue(db, signed.member, cases.QueueFilter(status="all"))
            ids = {c.public_id: c.sender_id for c in db.execute(
                select(cases.Case).where(cases.Case.sender_id.in_(senders))).scalars()} if senders else {}
            found = [row for row in rows if row["id"] in ids]
            audit.record(db, "conversation_searched", staff=signed.member, address=auth.client_address(request),
                         detail={"characters": len(fragment), "conversations": len(senders), "cases": len(found)})
        return render(request, "search.html", {"fragment": fragment, "rows": found,
                                               "too_short": 0 < len(fragment) < 4}, signed, db)


# --- unanswered messages (kept while the assistant could not answer) -----------------------------

@router.get("/unanswered", response_class=HTMLResponse)
def unanswered_page(request: Request) -> Response:
    """The list, without text: when, why, flagged or not, the case it became."""
    from bot.console import unanswered

    flagged = request.query_params.get("flagged") == "1"
    page = _page_number(request)
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        rows, total = unanswered.listing(db, flagged_only=flagged, limit=unanswered.PAGE,
                                         offset=(page - 1) * unanswered.PAGE)
        audit.record(db, "unanswered_listed", staff=signed.member, address=auth.client_address(request),
                     detail={"rows": len(rows), "page": page})
        return render(request, "unanswered.html", {
            "rows": rows, "total": total, "flagged": flagged, "page": page,
            "pages": max(1, -(-total // unanswered.PAGE))}, signed, db)


@router.get("/unanswered/{public_id}", response_class=HTMLResponse)
def unanswered_message_page(public_id: str, request: Request) -> Response:
    """One message with its words; the read is audited."""
    from bot.console import unanswered

    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        record = unanswered.read(db, public_id, staff=signed.member, address=auth.client_address(request))
        if record is None:
            return render(request, "message.html", {"title": "Message not found",
                          "message": "There is no unanswered message at this address. It may have been removed "
                                     "by the retention schedule.", "back": "/console/unanswered"},
                          signed, db, status_code=404)
        return render(request, "unanswered_message.html", {"record": record}, signed, db)


# --- own account -----------------------------------------------------------------------------------

@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    settings = _settings(request)
    with database(request) as db, db.begin():
        signed = auth.authorise(db, settings, request)
        return render(request, "account.html", {
            "message": "Your password is changed." if request.query_params.get("done") == "password" else "",
            "error": "",
            "two_step_required": staff.two_step_required(signed.member, settings),
            "recovery_left": len(signed.member.recovery_codes or []),
            "min_length": settings.console.password_min_length}, signed, db)


@router.post("/account/password")
async def change_password(request: Request) -> Response:
    form = await auth.read_form(request)
    settings = _settings(request)

    def run() -> Response:
        with database(request) as db, db.begin():
            signed = auth.authorise(db, settings, request)
            auth.check_csrf(signed.csrf, request, form)
            try:
                if form.get("new_password", "") != form.get("new_password_again", ""):
                    raise staff.AccountError("The two new passwords differ.")
                staff.change_own_password(db, settings, signed.member, form.get("current_password", ""),
                                          form.get("new_password", ""), auth.client_address(request))
            except staff.AccountError as error:
                return render(request, "account.html", {
                    "message": "", "error": str(error),
                    "two_step_required": staff.two_step_required(signed.member, settings),
                    "recovery_left": len(signed.member.recovery_codes or []),
                    "min_length": settings.console.password_min_length}, signed, db, status_code=400)
            return _see_other("/console/account?done=password")

    return await run_in_threadpool(run)


# --- admin: accounts and audit ---------------------------------------------------------------------

# What the staff page says after a change (?done=CODE&account=PUBLIC_ID): fixed sentences, so a link
# cannot make the console show words of someone else's choosing.
STAFF_DONE = {
    "added": "Account {email} added. Give them the password in person or by phone, not by e-mail.",
    "disabled": "Account {email} disabled; its sessions ended.",
    "enabled": "Account {email} enabled.",
    "reset": "New password set for {email}; their sessions ended.",
    "reset_two_step": "New password set for {email}; their sessions ended. They set up two-step sign-in again "
                      "at their next sign-in.",
}


def _done_message(request: Request, db: Session) -> str:
    template = STAFF_DONE.get(request.query_params.get("done", ""))
    member = staff.by_public_id(db, request.query_params.get("account", "")[:32])
    return template.format(email=member.email) if template and member else ""


def _staff_page(request: Request, signed: Signed, db: Session, error: str = "", status_code: int = 200) -> HTMLResponse:
    settings = _settings(request)
    members = db.execute(select(Staff).order_by(Staff.email)).scalars().all()
    return render(request, "staff.html", {
        "members": members, "roles": ROLES, "error": error, "message": "" if error else _done_message(request, db),
        "min_length": settings.console.password_min_length,
        "require_all": settings.console.require_two_step == "all",
        "locked": {m.id for m in members if staff.is_locked(m)},
    }, signed, db, status_code=status_code)


@router.get("/staff", response_class=HTMLResponse)
def staff_page(request: Request) -> Response:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request, admin=True)
        return _staff_page(request, signed, db)


async def _staff_change(request: Request, change) -> Response:  # type: ignore[no-untyped-def]
    form = await auth.read_form(request)
    settings = _settings(request)

    def run() -> Response:
        with database(request) as db, db.begin():
            signed = auth.authorise(db, settings, request, admin=True)
            auth.check_csrf(signed.csrf, request, form)
            try:
                done, member = change(db, settings, signed, form, auth.client_address(request))
            except staff.AccountError as error:
                # bot.staff checks everything before changing anything: nothing of the refused change exists
                return _staff_page(request, signed, db, error=str(error), status_code=400)
            return _see_other(f"/console/staff?done={done}&account={quote(member.public_id)}")

    return await run_in_threadpool(run)


def _target(db: Session, public_id: str) -> Staff:
    member = staff.by_public_id(db, public_id)
    if member is None:
        raise staff.AccountError("There is no such account.")
    return member


@router.post("/staff")
async def staff_add(request: Request) -> Response:
    def change(db, settings, signed, form, address):  # type: ignore[no-untyped-def]
        member = staff.add(db, settings, form.get("email", ""), form.get("role", ""), form.get("password", ""),
                           by=signed.member, address=address, require_two_step=form.get("require_two_step") == "on")
        return "added", member
    return await _staff_change(request, change)


@router.post("/staff/{public_id}/disable")
async def staff_disable(public_id: str, request: Request) -> Response:
    def change(db, settings, signed, form, address):  # type: ignore[no-untyped-def]
        member = _target(db, public_id)
        staff.set_disabled(db, member, True, by=signed.member, address=address)
        return "disabled", member
    return await _staff_change(request, change)


@router.post("/staff/{public_id}/enable")
async def staff_enable(public_id: str, request: Request) -> Response:
    def change(db, settings, signed, form, address):  # type: ignore[no-untyped-def]
        member = _target(db, public_id)
        staff.set_disabled(db, member, False, by=signed.member, address=address)
        return "enabled", member
    return await _staff_change(request, change)


@router.post("/staff/{public_id}/reset-password")
async def staff_reset(public_id: str, request: Request) -> Response:
    def change(db, settings, signed, form, address):  # type: ignore[no-untyped-def]
        member = _target(db, public_id)
        reset = form.get("reset_two_step") == "on"
        staff.reset_password(db, settings, member, form.get("password", ""), by=signed.member, address=address,
                             reset_two_step=reset)
        return ("reset_two_step" if reset else "reset"), member
    return await _staff_change(request, change)


def _audit_filter(request: Request) -> audit.AuditFilter:
    params = request.query_params

    def day(name: str, shift: int = 0) -> Optional[datetime]:
        try:
            value = datetime.strptime(params.get(name, ""), "%Y-%m-%d")
        except ValueError:
            return None
        return value.replace(tzinfo=ZoneInfo(_settings(request).clinic.timezone)) + timedelta(days=shift)

    action = params.get("action", "")
    return audit.AuditFilter(
        actor=params.get("actor", "").strip()[:255] or None,
        action=action if action in audit.ACTIONS else None,
        target=params.get("target", "").strip()[:255] or None,
        since=day("since"), until=day("until", 1),
    )


def _page_number(request: Request) -> int:
    try:
        return max(1, min(10_000, int(request.query_params.get("page", "1"))))
    except ValueError:
        return 1


AUDIT_PAGE = 100


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request, admin=True)
        where, page = _audit_filter(request), _page_number(request)
        entries, total = audit.search(db, where, AUDIT_PAGE, (page - 1) * AUDIT_PAGE)
        audit.record(db, "audit_viewed", staff=signed.member, address=auth.client_address(request),
                     detail={"filter": {k: str(v) for k, v in vars(where).items() if v}})
        query = {k: v for k, v in request.query_params.items() if k != "page"}
        return render(request, "audit.html", {
            "entries": [{**audit.entry_dict(e), "at_local": _local(e.at, _settings(request), "%d %b %Y, %H:%M:%S")}
                        for e in entries], "total": total, "page": page,
            "pages": max(1, -(-total // AUDIT_PAGE)), "params": request.query_params, "query": query,
            "actions": sorted(audit.ACTIONS.items(), key=lambda item: item[1]),
        }, signed, db)


@router.get("/api/audit")
def audit_api(request: Request) -> JSONResponse:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request, admin=True)
        where, page = _audit_filter(request), _page_number(request)
        entries, total = audit.search(db, where, AUDIT_PAGE, (page - 1) * AUDIT_PAGE)
        audit.record(db, "audit_viewed", staff=signed.member, address=auth.client_address(request),
                     detail={"via": "api"})
        return JSONResponse({"entries": [audit.entry_dict(e) for e in entries], "total": total, "page": page})
