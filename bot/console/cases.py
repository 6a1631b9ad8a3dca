"""Triage: the queue, one case with its transcript, status changes, assignment, notes, presence.

Why the transcript is rebuilt from Rasa's tracker store on every view: it is the record of what was
said; the case row holds only why it was flagged. Staff see what matched (spans, categories in words),
never a risk score (NICE NG225 advises against risk stratification).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import audit, transcript
from bot.models import (
    CASE_STATUSES, OPEN_STATUSES, AlertDelivery, Case, CaseEscalation, CaseEvent, CaseNote, CaseViewer, Staff,
)
from bot.staff import aware, utcnow
from bot.case_identity import CONFIRMED_CHECK_IN_OTHER, UNCLEAR_CHECK_IN_OTHER, message_time
from bot.transcript import Event

WORDS_FILE = Path(__file__).resolve().parent / "words.yml"
# Queue order: most urgent kind first, then the longest waiting.
URGENCY = ("emergency", "crisis", "abuse", "third_party", "check_in")
THIRD_PARTY = "third_party_risk"
# A case about someone else carries third_party_risk, and may say how it came about: the person's answer to the
# question about them (bot.case_identity). Neither answer makes the case about the writer.
ABOUT_SOMEONE_ELSE = frozenset({THIRD_PARTY, CONFIRMED_CHECK_IN_OTHER, UNCLEAR_CHECK_IN_OTHER})
# "Being viewed by": someone whose case page pinged within this many seconds.
VIEWER_FRESH_SECONDS = 90
RATING_SLOTS = {"distress_before": "Distress before the exercise", "distress_after": "Distress after the exercise"}
MAX_NOTE_CHARS = 5000
# False alarms record what fired; these are offered besides the case's own rule ids.
MODEL_SOURCES = ("intent classifier", "unknown")


class CaseError(ValueError):
    """A change that cannot be made; the message is for the staff member."""


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, str]]:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def category_words(category: str) -> str:
    return words()["categories"].get(category) or category.replace("_", " ")


def status_words(status: str) -> str:
    return words()["statuses"].get(status, status.replace("_", " "))


def triage_kind(case: Case) -> str:
    """emergency, crisis, abuse, third_party or check_in: the case kind, with third-party cases apart."""
    categories = list(case.categories or [])
    if case.kind == "emergency":
        return "emergency"
    if case.kind in ("check_in", "abuse"):
        return case.kind
    if THIRD_PARTY in categories and set(categories) <= ABOUT_SOMEONE_ELSE:
        return "third_party"
    return "crisis"  # unknown kinds count as crisis: a person reads them rather than nobody


def kind_words(kind: str) -> str:
    return words()["kinds"].get(kind, kind.replace("_", " "))


def duration_words(seconds: float) -> str:
    """"4 min", "2 h 5 min", "3 days": how long, for people scanning a queue."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "under 1 min"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def by_public_id(db: Session, public_id: str) -> Optional[Case]:
    if not public_id or len(public_id) > 32:
        return None
    return db.execute(select(Case).where(Case.public_id == public_id)).scalar_one_or_none()


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"  # "open", "all" or one status
    kind: str = ""  # "" or one of URGENCY
    assignee: str = ""  # "", "me", "nobody" or a staff public id


def viewers(db: Session, case_ids: list[int], now: Optional[datetime] = None) -> dict[int, list[str]]:
    """Who has each case open right now (e-mails), by case id."""
    if not case_ids:
        return {}
    fresh = (now or utcnow()) - timedelta(seconds=VIEWER_FRESH_SECONDS)
    rows = db.execute(
        select(CaseViewer.case_id, Staff.email)
        .join(Staff, Staff.id == CaseViewer.staff_id)
        .where(CaseViewer.case_id.in_(case_ids), CaseViewer.seen_at >= fresh)
        .order_by(Staff.email)
    ).all()
    found: dict[int, list[str]] = {}
    for case_id, email in rows:
        found.setdefault(case_id, []).append(email)
    return found


def _staff_emails(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.execute(select(Staff.id, Staff.email).where(Staff.id.in_(ids))).all())


def queue(db: Session, me: Staff, where: QueueFilter, now: Optional[datetime] = None) -> list[dict[str, Any]]:
    """Cases for the queue page and API, most urgent first, then longest waiting."""
    now = now or utcnow()
    query = select(Case)
    if where.status == "open":
        query = query.where(Case.status.in_(OPEN_STATUSES))
    elif where.status in CASE_STATUSES:
        query = query.where(Case.status == where.status)
    if where.assignee == "me":
        query = query.where(Case.assignee_id == me.id)
    elif where.assignee == "nobody":
        query = query.where(Case.assignee_id.is_(None))
    elif where.assignee:
        member = db.execute(select(Staff).where(Staff.public_id == where.assignee)).scalar_one_or_none()
        query = query.where(Case.assignee_id == (member.id if member else -1))
    cases = [c for c in db.execute(query).scalars() if not where.kind or triage_kind(c) == where.kind]
    cases.sort(key=lambda c: (URGENCY.index(triage_kind(c)), aware(c.created_at)))
    last_message = transcript.last_user_message_at(db.connection(), [c.sender_id for c in cases])
    seen = viewers(db, [c.id for c in cases], now)
    assignees = _staff_emails(db, {c.assignee_id for c in cases if c.assignee_id})
    failed = _failed_alerts(db, [c.id for c in cases])
    rows = []
    for case in cases:
        kind = triage_kind(case)
        last = last_message.get(case.sender_id)
        rows.append({
            "id": case.public_id,
            "kind": kind,
            "kind_words": kind_words(kind),
            "categories": [category_words(c) for c in case.categories or []],
            "status": case.status,
            "status_words": status_words(case.status),
            "assignee": assignees.get(case.assignee_id) if case.assignee_id else None,
            "created_at": aware(case.created_at).isoformat(),
            "age": duration_words((now - aware(case.created_at)).total_seconds()),
            "last_message_ago": duration_words(now.timestamp() - last) if last else None,
            "viewed_by": [email for email in seen.get(case.id, []) if email != me.email],
            "alert_failed": case.id in failed,
            **escalated_again(case, now),
        })
    return rows


def escalated_again(case: Case, now: Optional[datetime] = None) -> dict[str, Any]:
    """How many flagged messages the case holds and how long ago the latest was, for the queue and the case:
    one open case per conversation (bot/escalations.py), so a later escalation shows here, not as a new row."""
    count = int(case.escalation_count or 1)
    latest = aware(case.escalated_again_at) if case.escalated_again_at else None
    return {
        "flagged_messages": count,
        "escalated_again": count > 1,
        "escalated_again_at": latest.isoformat() if latest else None,
        "escalated_again_ago": duration_words(((now or utcnow()) - latest).total_seconds()) if latest else None,
    }


def escalations(db: Session, case: Case) -> list[dict[str, Any]]:
    """Each flagged message of the case, oldest first: its time, kind, categories in words and rules."""
    rows = db.execute(select(CaseEscalation).where(CaseEscalation.case_id == case.id)
                      .order_by(CaseEscalation.event_timestamp, CaseEscalation.id)).scalars().all()
    return [{"at": datetime.fromtimestamp(row.event_timestamp, timezone.utc), "timestamp": row.event_timestamp,
             "kind": row.kind, "kind_words": kind_words(row.kind),
             "categories": [category_words(c) for c in row.categories or []], "rule_ids": list(row.rule_ids or []),
             "source": row.source}
            for row in rows]


def _failed_alerts(db: Session, case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(db.execute(
        select(AlertDelivery.case_id).where(AlertDelivery.case_id.in_(case_ids), AlertDelivery.status == "failed")
    ).scalars())


def summary(db: Session) -> dict[str, int]:
    """Counts for the header: open cases, new cases, failed alerts of open cases."""
    counts = dict(db.execute(
        select(Case.status, func.count()).where(Case.status.in_(OPEN_STATUSES)).group_by(Case.status)
    ).all())
    failed = db.execute(
        select(func.count(func.distinct(AlertDelivery.case_id)))
        .join(Case, Case.id == AlertDelivery.case_id)
        .where(AlertDelivery.status == "failed", Case.status.in_(OPEN_STATUSES))
    ).scalar() or 0
    return {"open": int(sum(counts.values())), "new": int(counts.get("new", 0)), "failed_alerts": int(failed)}


# --- one case ----------------------------------------------------------------------------------


@dataclass
class Segment:
    text: str
    category: Optional[str] = None  # words, when this part matched a rule
    rule_id: Optional[str] = None


@dataclass
class Item:
    """One line of the transcript as the case page shows it."""

    kind: str  # "user", "bot", "staff", "resources", "rating", "session", "handoff"
    at: float
    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    flagged: bool = False  # the message this case is about
    later: bool = False  # the person's messages after the flagged one
    categories: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    who: str = ""  # for a staff member's message: their shown name and account
    event_id: int = 0


def _handoff_item(event: Event) -> Optional[Item]:
    """A bot event added during a live handoff: a staff message (who said it: the name the person saw
    and the account), a join/leave notice, or the assistant's return; None for ordinary bot events."""
    handoff = event.handoff
    kind = handoff.get("kind")
    if not kind:
        return None
    said = words().get("handoff", {})
    values = {"name": handoff.get("name") or "?", "email": handoff.get("staff_email") or "system"}
    if kind == "message":
        return Item("staff", event.timestamp, text=event.text or "", who=said["staff"].format(**values),
                    event_id=event.id)
    if kind == "reentry":
        return Item("bot", event.timestamp, text=event.text or "", event_id=event.id)
    key = {"joined": "joined", "left": "handed_back", "gone": "timeout"}.get(kind, "joined")
    return Item("handoff", event.timestamp, text=said[key].format(**values), event_id=event.id)


def highlight(text: str, spans: Any) -> list[Segment]:
    """The text cut at the matched spans (start/end offsets into the text); bad spans are ignored."""
    valid = []
    for span in spans if isinstance(spans, list) else []:
        if not isinstance(span, dict):
            continue
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            valid.append((start, end, str(span.get("category") or ""), str(span.get("rule_id") or "")))
    valid.sort()
    segments, position = [], 0
    for start, end, category, rule_id in valid:
        if start < position:  # overlapping spans: the earlier one wins
            continue
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], category_words(category) if category else "matched", rule_id))
        position = end
    if position < len(text) or not segments:
        segments.append(Segment(text[position:]))
    return segments


def _same_moment(a: float, b: float) -> bool:
    return abs(a - b) < 1e-3


def is_risk(safety: dict[str, Any]) -> bool:
    """The safety component found risk in this message (any kind, a check-in too)."""
    return bool(safety.get("escalate")) or safety.get("kind") not in (None, "", "none")


def transcript_items(events: list[Event], case: Optional[Case], titles: Optional[dict[str, str]] = None,
                     flagged_times: Optional[list[float]] = None) -> list[Item]:
    """The transcript as the case page shows it. Without a case (the live view of a handoff), every
    risk message is marked flagged; `titles` (button payload -> title) carries over between calls.
    `flagged_times`: the keys of every flagged message of the case (a case holds each escalation of its
    conversation while it is open); each is marked, and the messages after the first are "after the flag"."""
    moments = list(flagged_times or []) or ([case.event_timestamp] if case is not None else [])
    from bot.web.history import bot_messages  # here, not at the top: bot.web imports the console

    items: list[Item] = []
    titles = {} if titles is None else titles
    flagged_seen = False
    for event in events:
        if event.type_name == "user":
            text = event.text or ""
            if not text.strip():
                continue
            safety = event.safety
            if case is None:
                flagged = is_risk(safety)
            else:
                key = message_time(event.data) or event.timestamp
                flagged = any(_same_moment(key, moment) for moment in moments)
            shown = titles.get(text, text)
            item = Item("user", event.timestamp, text=shown, flagged=flagged, later=flagged_seen and case is not None and not flagged,
                        segments=highlight(text, safety.get("spans")) if shown == text else [Segment(shown)],
                        categories=[category_words(c) for c in safety.get("categories") or []],
                        event_id=event.id)
            flagged_seen = flagged_seen or flagged
            items.append(item)
        elif event.type_name == "bot" and _handoff_item(event) is not None:
            items.append(_handoff_item(event))  # type: ignore[arg-type]
        elif event.type_name == "bot":
            for message in bot_messages(event.data, event.timestamp):
                custom = message.get("custom") or {}
                if custom.get("type") == "crisis_resources":
                    names = [str(r.get("name")) for r in custom.get("resources") or [] if isinstance(r, dict)]
                    items.append(Item("resources", event.timestamp, text=str(custom.get("kind") or "crisis"),
                                      resources=names))
                    continue
                buttons = message.get("buttons") or []
                titles.update({b["payload"]: b["title"] for b in buttons})
                if message.get("text") or buttons:
                    items.append(Item("bot", event.timestamp, text=message.get("text") or "",
                                      buttons=[b["title"] for b in buttons]))
        elif event.type_name == "slot" and event.data.get("name") in RATING_SLOTS:
            value = event.data.get("value")
            if value is not None:
                label = f"{value}/10" if isinstance(value, (int, float)) else str(value)
                items.append(Item("rating", event.timestamp, text=f"{RATING_SLOTS[event.data['name']]}: {label}"))
        elif event.type_name == "session_started":
            items.append(Item("session", event.timestamp, text="A new chat session started"))
    if case is not None and not flagged_seen:  # the gateway's cases are keyed by arrival time: mark the nearest message
        users = [i for i in items if i.kind == "user"]
        if users:
            nearest = min(users, key=lambda i: abs(i.at - case.event_timestamp))
            if abs(nearest.at - case.event_timestamp) < 120:
                nearest.flagged = True
                for later in users[users.index(nearest) + 1:]:
                    later.later = True
    return items


def safety_plan(events: list[Event]) -> list[dict[str, Any]]:
    """The person's safety plan as the conversation last left it: one entry per step the console
    names (words.yml `safety_plan`), with the person's own words, "" when skipped, None when not
    reached yet. [] when no step was ever answered. Read from the tracker's slot events, the plan's
    only record (so retention deletes it with the conversation)."""
    titles: dict[str, str] = words().get("safety_plan") or {}
    values: dict[str, Any] = {}
    for event in events:
        name = event.data.get("name") if event.type_name == "slot" else None
        if name in titles:
            values[name] = event.data.get("value")
    if not any(isinstance(v, str) for v in values.values()):
        return []
    return [{"slot": slot, "title": title, "answer": values.get(slot) if isinstance(values.get(slot), str) else None}
            for slot, title in titles.items()]


def _change_words(change: CaseEvent) -> str:
    if change.change == "assign":
        return f"Assigned to {change.to_value}"
    words = f"Status {status_words(change.from_value or '')} → {status_words(change.to_value or '')}"
    return words + (f" (fired: {change.detail})" if change.detail else "")


def _unanswered_for(db: Session, sender_id: str) -> list[dict[str, Any]]:
    from bot.console.unanswered import for_sender

    return for_sender(db, sender_id)


def detail(db: Session, case: Case, me: Staff) -> dict[str, Any]:
    """Everything the case page and the export show."""
    events = transcript.conversation(db.connection(), case.sender_id)
    staff_ids = {case.assignee_id} if case.assignee_id else set()
    notes = db.execute(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)).scalars().all()
    history = db.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).scalars().all()
    staff_ids |= {n.staff_id for n in notes} | {h.staff_id for h in history if h.staff_id}
    emails = _staff_emails(db, staff_ids)
    deliveries = db.execute(
        select(AlertDelivery).where(AlertDelivery.case_id == case.id).order_by(AlertDelivery.id)
    ).scalars().all()
    kind = triage_kind(case)
    flagged = escalations(db, case)
    items = transcript_items(events, case, flagged_times=[e["timestamp"] for e in flagged])
    return {
        "case": case,
        "id": case.public_id,
        "kind": kind,
        "kind_words": kind_words(kind),
        "categories": [category_words(c) for c in case.categories or []],
        "rule_ids": list(case.rule_ids or []),
        "status": case.status,
        "status_words": status_words(case.status),
        "assignee": emails.get(case.assignee_id) if case.assignee_id else None,
        "assigned_to_me": case.assignee_id == me.id,
        "created_at": aware(case.created_at),
        "flagged_at": datetime.fromtimestamp(case.event_timestamp, timezone.utc),
        "false_alarm_rule": case.false_alarm_rule,
        "escalations": flagged,
        **escalated_again(case),
        "items": items,
        "safety_plan": safety_plan(events),
        "safety_plan_words": words().get("safety_plan_words") or {},
        "transcript_missing": not events,
        # Messages of this conversation the assistant never answered (not in the tracker store).
        "unanswered": _unanswered_for(db, case.sender_id),
        "notes": [{"author": emails.get(n.staff_id, "?"), "at": aware(n.created_at), "body": n.body} for n in notes],
        "history": [{"who": emails.get(h.staff_id, "system") if h.staff_id else "system", "at": aware(h.at),
                     "change": h.change, "from": h.from_value, "to": h.to_value, "detail": h.detail,
                     "words": _change_words(h)}
                    for h in history],
        "alerts": [{"reason": d.reason, "channel": d.channel, "status": d.status, "attempts": d.attempts,
                    "error": d.last_error, "sent_at": aware(d.sent_at)} for d in deliveries],
        "viewed_by": [e for e in viewers(db, [case.id]).get(case.id, []) if e != me.email],
        "statuses": [(s, status_words(s)) for s in CASE_STATUSES],
        "false_alarm_sources": [*sorted(set(case.rule_ids or [])), *MODEL_SOURCES],
    }


def as_json(info: dict[str, Any]) -> dict[str, Any]:
    """The case detail for the API (no ORM objects, times as ISO strings)."""
    def when(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    return {
        "id": info["id"], "kind": info["kind"], "kind_words": info["kind_words"],
        "categories": info["categories"], "rule_ids": info["rule_ids"], "status": info["status"],
        "assignee": info["assignee"], "created_at": when(info["created_at"]),
        "flagged_at": when(info["flagged_at"]), "false_alarm_rule": info["false_alarm_rule"],
        "viewed_by": info["viewed_by"],
        "flagged_messages": info["flagged_messages"], "escalated_again": info["escalated_again"],
        "escalated_again_at": info["escalated_again_at"],
        "escalations": [{"at": when(e["at"]), "kind": e["kind"], "kind_words": e["kind_words"],
                         "categories": e["categories"], "rule_ids": e["rule_ids"]} for e in info["escalations"]],
        "transcript": [{
            "kind": i.kind, "at": i.at, "text": i.text, "flagged": i.flagged, "later": i.later,
            "matches": [{"text": s.text, "category": s.category, "rule_id": s.rule_id} for s in i.segments if s.category],
            "categories": i.categories, "resources": i.resources, "buttons": i.buttons, "who": i.who,
        } for i in info["items"]],
        "safety_plan": info["safety_plan"],
        "notes": [{**n, "at": when(n["at"])} for n in info["notes"]],
        "history": [{**h, "at": when(h["at"])} for h in info["history"]],
        "alerts": [{**a, "sent_at": when(a["sent_at"])} for a in info["alerts"]],
    }


def mark_viewing(db: Session, case: Case, me: Staff) -> None:
    row = db.execute(
        select(CaseViewer).where(CaseViewer.case_id == case.id, CaseViewer.staff_id == me.id)
    ).scalar_one_or_none()
    if row is None:
        db.add(CaseViewer(case_id=case.id, staff_id=me.id, seen_at=utcnow()))
    else:
        row.seen_at = utcnow()


def stop_viewing(db: Session, case: Case, me: Staff) -> None:
    db.execute(delete(CaseViewer).where(CaseViewer.case_id == case.id, CaseViewer.staff_id == me.id))


def _history(db: Session, case: Case, me: Staff, change: str, old: Optional[str], new: Optional[str],
             detail: Optional[str] = None) -> None:
    db.add(CaseEvent(case_id=case.id, staff_id=me.id, change=change, from_value=old, to_value=new, detail=detail))


def assign_to_me(db: Session, case: Case, me: Staff, address: str) -> None:
    """Take the case; a new case moves to "in review" at the same time."""
    if case.assignee_id != me.id:
        old = _staff_emails(db, {case.assignee_id}).get(case.assignee_id) if case.assignee_id else None
        case.assignee_id, case.assignee = me.id, me.email
        _history(db, case, me, "assign", old, me.email)
        audit.record(db, "case_assigned", staff=me, target=case.public_id, address=address,
                     detail={"from": old, "to": me.email})
    if case.status == "new":
        set_status(db, case, me, "in_review", address)


def set_status(db: Session, case: Case, me: Staff, status: str, address: str,
               false_alarm_rule: Optional[str] = None) -> None:
    if status not in CASE_STATUSES:
        raise CaseError("Choose one of the statuses shown.")
    if status == case.status:
        return
    rule = None
    if status == "false_alarm":
        allowed = {*(case.rule_ids or []), *MODEL_SOURCES}
        rule = (false_alarm_rule or "").strip()
        if rule not in allowed:
            raise CaseError("For a false alarm, choose which rule or model fired.")
        case.false_alarm_rule = rule
    old = case.status
    case.status, case.status_changed_at = status, utcnow()
    _history(db, case, me, "status", old, status, rule)
    audit.record(db, "case_status", staff=me, target=case.public_id, address=address,
                 detail={"from": old, "to": status, **({"rule": rule} if rule else {})})


def add_note(db: Session, case: Case, me: Staff, body: str, address: str) -> None:
    body = (body or "").strip()
    if not body:
        raise CaseError("The note is empty.")
    if len(body) > MAX_NOTE_CHARS:
        raise CaseError(f"A note can be at most {MAX_NOTE_CHARS} characters long.")
    db.add(CaseNote(case_id=case.id, staff_id=me.id, body=body))
    audit.record(db, "note_added", staff=me, target=case.public_id, address=address,
                 detail={"characters": len(body)})
