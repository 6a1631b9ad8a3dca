"""The console's side of a live handoff: join from a case or from the live list, talk, hand back.

GET  /console/live                              conversations active lately, who is in each, Join
POST /console/live/join                         join one of them (form: sender_id, display_name)
POST /console/cases/{case}/join                 join the conversation of a case
GET  /console/handoffs/{id}                     the live conversation: transcript, message box, Hand back
POST /console/handoffs/{id}/messages            a message to the person (form, or fetch with X-CSRF-Token)
POST /console/handoffs/{id}/hand-back           end: the person is told, the assistant resumes
POST /console/handoffs/{id}/take-over           take it from the current holder (explicitly)
GET  /console/api/handoffs/{id}/updates?after=N what is new (polling fallback); also "still here"
GET  /console/api/handoffs/{id}/events?after=N  the same, pushed (server-sent events)

Every route authorises (session) and every change checks the CSRF token; the work itself, and its
audit rows, are in bot.handoff.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Optional
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit, handoff as handoffs, transcript
from bot.console import auth, cases
from bot.console.routes import _see_other, _settings, database, render
from bot.hours import is_open, parse_opening_hours
from bot.models import OPEN_STATUSES, Case, Handoff, Staff
from bot.staff import utcnow
from bot.web.state import web_state
from bot.web.stream import event_stream, start_cursor

router = APIRouter(prefix="/console")
# The holder's page says "still here" at most this often (each poll or pushed read).
TOUCH_EVERY_SECONDS = 5.0


def _words(code: str, **values: Any) -> str:
    return cases.words()["handoff"][code].format(**values)


def _rasa(request: Request) -> handoffs.Rasa:
    web = web_state(request)
    return handoffs.Rasa(web.rasa_url, web.settings.rasa_api_token)


def outside_hours_notice(request: Request) -> str:
    """Staff-facing: the clinic is closed now (Join still works; the person was promised nothing)."""
    clinic = _settings(request).clinic
    hours = parse_opening_hours(clinic.opening_hours)
    if not hours or is_open(hours, datetime.now(timezone.utc), ZoneInfo(clinic.timezone)):
        return ""
    return _words("outside_hours", hours=clinic.opening_hours)


def _error_words(error: handoffs.HandoffError) -> str:
    return _words(error.code, **error.values)


# --- the live list ---------------------------------------------------------------------------------

def _live_rows(db: Session, request: Request, me: Staff) -> list[dict[str, Any]]:
    settings = _settings(request)
    since = utcnow().timestamp() - settings.handoff.active_within_minutes * 60
    recent = transcript.recent_conversations(db.connection(), since)
    held = {h.sender_id: h for h in db.execute(select(Handoff).where(Handoff.ended_at.is_(None))).scalars()}
    # Held conversations stay listed however quiet they are.
    senders = [s for s, _ in recent] + [s for s in held if s not in {s for s, _ in recent}]
    last = dict(recent)
    open_cases: dict[str, list[Case]] = {}
    if senders:
        for case in db.execute(select(Case).where(Case.sender_id.in_(senders), Case.status.in_(OPEN_STATUSES))
                               .order_by(Case.id)).scalars():
            open_cases.setdefault(case.sender_id, []).append(case)
    emails = dict(db.execute(select(Staff.id, Staff.email)).all()) if held else {}
    rows = []
    now = utcnow().timestamp()
    for sender in senders:
        row = held.get(sender)
        rows.append({
            "sender_id": sender,
            "short": sender[:8],
            "last_ago": cases.duration_words(now - last[sender]) if sender in last else None,
            "cases": [{"id": c.public_id, "kind_words": cases.kind_words(cases.triage_kind(c))}
                      for c in open_cases.get(sender, [])],
            "holder": emails.get(row.staff_id) if row else None,
            "handoff": row.public_id if row else None,
            "mine": bool(row and row.staff_id == me.id),
        })
    # Conversations with an open case first (most in need of a person), then the most recent.
    rows.sort(key=lambda r: (not r["cases"], r["last_ago"] is None))
    return rows


def _live_page(request: Request, signed: auth.Signed, db: Session, error: str = "", status_code: int = 200) -> HTMLResponse:
    return render(request, "live.html", {
        "rows": _live_rows(db, request, signed.member), "error": error,
        "display_name": handoffs.last_name(db, signed.member), "outside_hours": outside_hours_notice(request),
        "minutes": _settings(request).handoff.active_within_minutes,
    }, signed, db, status_code=status_code)


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request) -> Response:
    with database(request) as db, db.begin():
        signed = auth.authorise(db, _settings(request), request)
        return _live_page(request, signed, db)


def _authorised_change(request: Request, settings: Any, form: dict[str, str],
                       within: Optional[Callable[[Session, dict[str, str]], Any]] = None) -> tuple[Staff, Any]:
    """Authorise the session and check the change's CSRF token. Returns the staff member, detached so
    that the change runs in its own transactions, and what `within(db, form)` found in this one."""
    with database(request) as db, db.begin():
        signed = auth.authorise(db, settings, request)
        auth.check_csrf(signed.csrf, request, form)
        found = within(db, form) if within else None
        db.expunge(signed.member)
        return signed.member, found


async def _join(request: Request, sender_for: Callable[[Session, dict[str, str]], Optional[str]],
                back: Callable[[auth.Signed, Session, str, int], Response]) -> Response:
    """Join (shared by the live list and the case page): redirect to the live conversation, or the
    page the form was on with the reason it did not happen."""
    form = await auth.read_form(request)
    settings = _settings(request)
    rasa = _rasa(request)

    def back_with(error: str, code: int) -> Response:
        with database(request) as db, db.begin():
            return back(auth.authorise(db, settings, request), db, error, code)

    def run() -> Response:
        member, sender_id = _authorised_change(request, settings, form, sender_for)
        if sender_id is None:
            return back_with(_words("no_conversation"), 404)
        try:
            public_id = handoffs.join(settings, rasa, member, sender_id, form.get("display_name", ""),
                                      auth.client_address(request))
        except handoffs.HandoffError as error:
            if error.code == "held_by_other" and error.values.get("handoff"):
                return _see_other(f"/console/handoffs/{error.values['handoff']}")
            return back_with(_error_words(error), 409 if error.code == "held_by_other" else 400)
        return _see_other(f"/console/handoffs/{public_id}")

    return await run_in_threadpool(run)


@router.post("/live/join")
async def join_from_list(request: Request) -> Response:
    def sender_for(db: Session, form: dict[str, str]) -> Optional[str]:
        sender = form.get("sender_id", "")[:255]
        known = sender and transcript.conversation(db.connection(), sender, limit=1)
        return sender if known else None

    return await _join(request, sender_for,
                       lambda signed, db, error, code: _live_page(request, signed, db, error, code))


@router.post("/cases/{public_id}/join")
async def join_from_case(public_id: str, request: Request) -> Response:
    def sender_for(db: Session, form: dict[str, str]) -> Optional[str]:
        case = cases.by_public_id(db, public_id)
        return case.sender_id if case else None

    def back(signed: auth.Signed, db: Session, error: str, code: int) -> Response:
        case = cases.by_public_id(db, public_id)
        if case is None:
            return _live_page(request, signed, db, error, code)
        info = cases.detail(db, case, signed.member)
        return render(request, "case.html", {"info": info, "error": error, **case_join_context(request, db, case,
                      signed.member)}, signed, db, status_code=code)

    return await _join(request, sender_for, back)


def case_join_context(request: Request, db: Session, case: Case, me: Staff) -> dict[str, Any]:
    """What the case page needs for its "Talk with the person" panel."""
    row = handoffs.active(db, case.sender_id)
    holder = db.get(Staff, row.staff_id) if row else None
    return {"live": {
        "handoff": row.public_id if row else None,
        "holder": holder.email if holder else None,
        "mine": bool(row and row.staff_id == me.id),
        "display_name": handoffs.last_name(db, me),
        "outside_hours": outside_hours_notice(request),
    }}


# --- the live conversation ---------------------------------------------------------------------------

def _state(db: Session, row: Handoff, me: Staff) -> dict[str, Any]:
    current = handoffs.active(db, row.sender_id)
    holder = db.get(Staff, current.staff_id) if current else None
    return {
        "active": current is not None,
        "mine": bool(current and current.staff_id == me.id),
        "holder": holder.email if holder else None,
        "holder_name": current.display_name if current else None,
        "current": current.public_id if current else None,
    }


def _state_words(state: dict[str, Any]) -> str:
    if not state["active"]:
        return _words("ended")
    if state["mine"]:
        return _words("holding", name=state["holder_name"])
    return _words("held_by_other", holder=state["holder"])


def _problem(request: Request) -> str:
    """The words for ?problem=CODE after a plain form post (fixed sentences, never from the URL)."""
    code = request.query_params.get("problem", "")
    said = cases.words()["handoff"]
    if code not in said or code in ("staff", "joined", "taken_over", "handed_back", "timeout", "reentry",
                                    "holding", "flag_alert"):
        return ""
    try:
        return said[code].format(holder="Someone", limit="", hours="")
    except (KeyError, IndexError):
        return ""


def _item_json(item: cases.Item) -> dict[str, Any]:
    return {
        "kind": item.kind, "at": item.at, "text": item.text, "who": item.who, "flagged": item.flagged,
        "categories": item.categories, "resources": item.resources, "buttons": item.buttons,
        "segments": [{"text": s.text, "category": s.category} for s in item.segments],
    }


@router.get("/handoffs/{public_id}", response_class=HTMLResponse)
def handoff_page(public_id: str, request: Request) -> Response:
    settings = _settings(request)
    with database(request) as db, db.begin():
        signed = auth.authorise(db, settings, request)
        row = handoffs.by_public_id(db, public_id)
        if row is None:
            return render(request, "message.html", {"title": "Not found", "message": "There is no live conversation "
                          "at this address.", "back": "/console/live"}, signed, db, status_code=404)
        state = _state(db, row, signed.member)
        if state["mine"] and state["current"] == row.public_id:
            handoffs.touch(db, row)
        events = transcript.conversation(db.connection(), row.sender_id)
        audit.record(db, "handoff_viewed", staff=signed.member, target=row.public_id,
                     address=auth.client_address(request))
        case_rows = db.execute(select(Case).where(Case.sender_id == row.sender_id).order_by(Case.id)).scalars().all()
        return render(request, "handoff.html", {
            "row": row, "state": state, "state_words": _state_words(state),
            "info": {"items": cases.transcript_items(events, None), "transcript_missing": not events},
            "cursor": events[-1].id if events else 0,
            "cases": [{"id": c.public_id, "kind_words": cases.kind_words(cases.triage_kind(c)),
                       "status_words": cases.status_words(c.status)} for c in case_rows],
            "display_name": handoffs.last_name(db, signed.member),
            "max_chars": web_state(request).options.max_message_chars,
            "hand_back_after": settings.handoff.hand_back_after_seconds,
            "error": _problem(request),
        }, signed, db)


def _updates(request: Request, public_id: str, after: int, last_touch: dict[str, float]) -> Optional[dict[str, Any]]:
    """New transcript items after event `after`, and the handoff's state; refreshes the holder's
    "still here" (the hand-back timer) at most every few seconds. None when the handoff is unknown."""
    settings = _settings(request)
    with database(request) as db, db.begin():
        signed = auth.authorise(db, settings, request, poll=True)  # reading is not activity; sending is
        row = handoffs.by_public_id(db, public_id)
        if row is None:
            return None
        state = _state(db, row, signed.member)
        now = utcnow().timestamp()
        if state["mine"] and state["current"] == row.public_id and now - last_touch.get("at", 0) >= TOUCH_EVERY_SECONDS:
            handoffs.touch(db, row)
            last_touch["at"] = now
        events = transcript.conversation_after(db.connection(), row.sender_id, after)
        items = [_item_json(i) for i in cases.transcript_items(events, None)]
        flags = [i for i in items if i["kind"] == "user" and i["flagged"]]
        return {
            "items": items, "cursor": events[-1].id if events else after, "state": state,
            "state_words": _state_words(state),
            "flag_alerts": [_words("flag_alert", categories="; ".join(i["categories"]) or "risk language")
                            for i in flags],
        }


@router.get("/api/handoffs/{public_id}/updates")
async def updates(public_id: str, request: Request) -> Response:
    body = await run_in_threadpool(_updates, request, public_id, start_cursor(request), {})
    if body is None:
        return JSONResponse({"error": "not_found", "message": "There is no such live conversation."}, status_code=404)
    return JSONResponse(body)


@router.get("/api/handoffs/{public_id}/events")
async def events(public_id: str, request: Request) -> Response:
    with database(request) as db, db.begin():
        auth.authorise(db, _settings(request), request, poll=True)  # signed in, before the stream starts
        row = handoffs.by_public_id(db, public_id)
        if row is None:
            return JSONResponse({"error": "not_found", "message": "There is no such live conversation."},
                                status_code=404)
        sender_id = row.sender_id
    last_touch: dict[str, float] = {}
    shown: dict[str, Any] = {"state": None}

    async def fetch(cursor: int) -> tuple[Optional[dict[str, Any]], int]:
        try:
            body = await run_in_threadpool(_updates, request, public_id, cursor, last_touch)
        except (auth.NotSignedIn, auth.Forbidden):
            return {"signed_out": True}, cursor
        if body is None:
            return None, cursor
        if not body["items"] and body["state"] == shown["state"]:
            return None, body["cursor"]
        shown["state"] = body["state"]
        return body, body["cursor"]

    return event_stream(request, sender_id, fetch)


async def _change(request: Request, public_id: str, change) -> Response:  # type: ignore[no-untyped-def]
    """Run one handoff change; answers JSON to the page's script, a redirect (or the page with the
    reason) to a plain form."""
    wants_json = "application/json" in request.headers.get("accept", "")
    form = await auth.read_form(request)
    settings = _settings(request)
    rasa = _rasa(request)

    def run() -> Response:
        member, _ = _authorised_change(request, settings, form)
        try:
            result = change(settings, rasa, member, form, auth.client_address(request))
        except handoffs.HandoffError as error:
            status = 503 if error.code.startswith("rasa_down") else 409
            if wants_json:
                return JSONResponse({"error": error.code, "message": _error_words(error)}, status_code=status)
            return _see_other(f"/console/handoffs/{public_id}?problem={error.code}")
        if wants_json:
            return JSONResponse({"ok": True, **(result if isinstance(result, dict) else {})})
        target = result.get("go", public_id) if isinstance(result, dict) else public_id
        notice = result.get("problem") if isinstance(result, dict) else None
        return _see_other(f"/console/handoffs/{target}" + (f"?problem={notice}" if notice else ""))

    return await run_in_threadpool(run)


@router.post("/handoffs/{public_id}/messages")
async def message(public_id: str, request: Request) -> Response:
    max_chars = web_state(request).options.max_message_chars

    def change(settings, rasa, member, form, address):  # type: ignore[no-untyped-def]
        handoffs.send(settings, rasa, member, public_id, form.get("text", ""), address, max_chars)
        return {}
    return await _change(request, public_id, change)


@router.post("/handoffs/{public_id}/hand-back")
async def hand_back(public_id: str, request: Request) -> Response:
    def change(settings, rasa, member, form, address):  # type: ignore[no-untyped-def]
        resumed = handoffs.hand_back(settings, rasa, member, public_id, address)
        return {} if resumed else {"problem": "rasa_down_hand_back", "message": _words("rasa_down_hand_back")}
    return await _change(request, public_id, change)


@router.post("/handoffs/{public_id}/take-over")
async def take_over(public_id: str, request: Request) -> Response:
    def change(settings, rasa, member, form, address):  # type: ignore[no-untyped-def]
        new_id = handoffs.take_over(settings, rasa, member, public_id, form.get("display_name", ""), address)
        return {"go": new_id}
    return await _change(request, public_id, change)
