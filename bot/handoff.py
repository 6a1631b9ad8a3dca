"""Live handoff: a staff member joins a conversation, talks with the person, and hands back.

Where the state lives, and why:
- The pause is Rasa's own (`ConversationPaused` / `ConversationResumed` in the tracker store), so
  every Rasa replica sees it and none answers a paused conversation; the person's messages are still
  logged through the NLU pipeline, safety component included.
- Who holds the conversation is a `handoffs` row (our database): one active row per conversation
  (a partial unique index), so two staff members or two web-app processes cannot both hold it.
- The hand-back timer is the row's `seen_at`, refreshed while the holder's console page is open; any
  web-app process's watcher ends rows whose holder has gone (a conditional UPDATE claims each row
  once). A resume that Rasa did not accept is retried until it is (`resumed_at` stays empty).
- Staff messages and the notices the person sees are bot events in the tracker with
  metadata {"handoff": {...}} naming the staff account: the transcript of record shows who said what.
- The audit log records joins, take-overs, each staff message (never its text) and hand-backs.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

import httpx
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit, push, transcript
from bot.db import get_engine
from bot.escalations import _escalation_from_user_event, record_escalation
from bot.models import Handoff, Staff
from bot.rasa_api import PAUSE, RESUME, RasaApiError, append_events, bot_event
from bot.settings import Settings
from bot.staff import aware, utcnow
from bot.web import texts

logger = logging.getLogger(__name__)

MAX_NAME_CHARS = 40
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Kinds of handoff metadata on bot events: what the widget and the transcript make of each.
NOTICE_KINDS = ("joined", "left", "gone")
STAFF_MESSAGE = "message"
REENTRY = "reentry"


class HandoffError(ValueError):
    """A handoff step that cannot be done; `code` picks the console's words (words.yml, handoff)."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code, self.values = code, values


@dataclass
class Rasa:
    """How to reach Rasa's HTTP API (the configured server; tests point it elsewhere)."""

    url: str
    token: str
    client: Optional[httpx.Client] = None

    def append(self, sender_id: str, events: list[dict[str, Any]]) -> None:
        append_events(self.url, self.token, sender_id, events, self.client)


def clean_name(name: str) -> str:
    """The name the person sees: trimmed, one line, 1..40 characters, else HandoffError."""
    name = CONTROL.sub(" ", name or "").strip()
    name = re.sub(r"\s+", " ", name)
    if not name or len(name) > MAX_NAME_CHARS:
        raise HandoffError("name_needed")
    return name


def _session(settings: Settings) -> Session:
    return Session(get_engine(settings), future=True)


def active(db: Session, sender_id: str) -> Optional[Handoff]:
    return db.execute(
        select(Handoff).where(Handoff.sender_id == sender_id, Handoff.ended_at.is_(None))
    ).scalar_one_or_none()


def by_public_id(db: Session, public_id: str) -> Optional[Handoff]:
    if not public_id or len(public_id) > 32:
        return None
    return db.execute(select(Handoff).where(Handoff.public_id == public_id)).scalar_one_or_none()


def last_name(db: Session, member: Staff) -> str:
    """The name this staff member showed last time (the join form suggests it again)."""
    return db.execute(
        select(Handoff.display_name).where(Handoff.staff_id == member.id).order_by(Handoff.id.desc()).limit(1)
    ).scalar() or ""


def _joined_text(settings: Settings, name: str) -> str:
    return texts.handoff("joined", name=name, clinic_name=settings.clinic.name)


def _staff_meta(kind: str, member: Staff, name: str) -> dict[str, Any]:
    return {"kind": kind, "staff_id": member.public_id, "staff_email": member.email, "name": name}


def join(settings: Settings, rasa: Rasa, member: Staff, sender_id: str, display_name: str, address: str) -> str:
    """Pause the assistant and tell the person who joined; returns the handoff's public id.

    HandoffError("held_by_other") when someone else holds it (they must take over explicitly),
    HandoffError("rasa_down_join") when Rasa did not accept the pause (nothing changed for the person)."""
    name = clean_name(display_name)
    with _session(settings) as db, db.begin():
        current = active(db, sender_id)
        if current is not None:
            if current.staff_id == member.id:
                return current.public_id
            holder = db.get(Staff, current.staff_id)
            raise HandoffError("held_by_other", holder=holder.email if holder else "someone",
                               handoff=current.public_id)
        row = Handoff(sender_id=sender_id, staff_id=member.id, display_name=name)
        db.add(row)
        try:
            db.flush()
        except IntegrityError:  # another process created the active row a moment ago
            raise HandoffError("held_by_other", holder="someone else", handoff="") from None
        public_id, row_id = row.public_id, row.id
    try:
        rasa.append(sender_id, [PAUSE, bot_event(_joined_text(settings, name), _staff_meta("joined", member, name))])
    except RasaApiError:
        with _session(settings) as db, db.begin():
            db.execute(update(Handoff).where(Handoff.id == row_id).values(
                ended_at=utcnow(), end_reason="join_failed", resumed_at=utcnow()))
        raise HandoffError("rasa_down_join") from None
    with _session(settings) as db, db.begin():
        audit.record(db, "handoff_joined", staff=member, target=public_id, address=address,
                     detail={"cases": _case_ids(db, sender_id)})
    push.notify(sender_id)
    return public_id


def take_over(settings: Settings, rasa: Rasa, member: Staff, public_id: str, display_name: str, address: str) -> str:
    """Take a held conversation from its holder (explicitly); the assistant stays paused."""
    name = clean_name(display_name)
    with _session(settings) as db, db.begin():
        current = by_public_id(db, public_id)
        if current is None or current.ended_at is not None:
            raise HandoffError("ended")
        if current.staff_id == member.id:
            return current.public_id
        previous = db.get(Staff, current.staff_id)
        current.ended_at, current.end_reason = utcnow(), "taken_over"
        db.flush()  # the active row must end before the new one exists (unique index)
        row = Handoff(sender_id=current.sender_id, staff_id=member.id, display_name=name)
        db.add(row)
        db.flush()
        audit.record(db, "handoff_taken_over", staff=member, target=row.public_id, address=address,
                     detail={"from": previous.email if previous else None, "previous": current.public_id})
        sender_id, new_id = current.sender_id, row.public_id
    try:
        rasa.append(sender_id, [bot_event(_joined_text(settings, name), _staff_meta("joined", member, name))])
    except RasaApiError:
        logger.warning("handoff: take-over notice not delivered (Rasa did not answer)")
    push.notify(sender_id)
    return new_id


def _held_by(db: Session, public_id: str, member: Staff) -> Handoff:
    row = by_public_id(db, public_id)
    if row is None or row.ended_at is not None or row.staff_id != member.id:
        raise HandoffError("not_holder")
    return row


def send(settings: Settings, rasa: Rasa, member: Staff, public_id: str, text: str, address: str,
         max_chars: int = 2000) -> None:
    """A staff message to the person: a bot event naming the staff account; audited without its text."""
    if not text or not text.strip():
        raise HandoffError("message_empty")
    if len(text) > max_chars:
        raise HandoffError("message_too_long", limit=max_chars)
    with _session(settings) as db, db.begin():
        row = _held_by(db, public_id, member)
        row.seen_at = utcnow()
        sender_id, name = row.sender_id, row.display_name
    try:
        rasa.append(sender_id, [bot_event(text.strip(), _staff_meta(STAFF_MESSAGE, member, name))])
    except RasaApiError:
        raise HandoffError("rasa_down_message") from None
    with _session(settings) as db, db.begin():
        audit.record(db, "handoff_message", staff=member, target=public_id, address=address)
    push.notify(sender_id)


def _resume(settings: Settings, rasa: Rasa, row: Handoff, member: Optional[Staff], reason: str) -> bool:
    """Tell the person, resume the assistant, and let it say it is back; True when Rasa accepted."""
    notice = texts.handoff("gone" if reason == "timeout" else "left", name=row.display_name)
    meta = _staff_meta("gone" if reason == "timeout" else "left", member, row.display_name) if member else \
        {"kind": "gone" if reason == "timeout" else "left", "name": row.display_name}
    try:
        rasa.append(row.sender_id, [
            bot_event(notice, meta), RESUME, bot_event(texts.handoff("reentry"), {"kind": REENTRY}),
        ])
    except RasaApiError:
        logger.warning("handoff: resume not accepted by Rasa; retried by the watcher")
        return False
    with _session(settings) as db, db.begin():
        db.execute(update(Handoff).where(Handoff.id == row.id).values(resumed_at=utcnow()))
    push.notify(row.sender_id)
    return True


def hand_back(settings: Settings, rasa: Rasa, member: Staff, public_id: str, address: str) -> bool:
    """The holder ends the session: the person is told, the assistant resumes. False when Rasa did
    not answer (the watcher resumes it as soon as Rasa does; the staff member is told)."""
    with _session(settings) as db, db.begin():
        row = _held_by(db, public_id, member)
        row.ended_at, row.end_reason = utcnow(), "handed_back"
        audit.record(db, "handoff_ended", staff=member, target=public_id, address=address,
                     detail={"reason": "handed_back"})
        db.flush()
        db.expunge(row)
    return _resume(settings, rasa, row, member, "handed_back")


def touch(db: Session, row: Handoff) -> None:
    """The holder's console page is still open."""
    row.seen_at = utcnow()


def hand_back_stale(settings: Settings, rasa: Rasa) -> int:
    """End the handoffs whose holder's page has gone for `hand_back_after_seconds`, and resume what
    is still paused; returns how many conversations were resumed. Safe in several processes at once."""
    cutoff = utcnow() - timedelta(seconds=settings.handoff.hand_back_after_seconds)
    with _session(settings) as db:
        stale = db.execute(select(Handoff.id).where(Handoff.ended_at.is_(None), Handoff.seen_at < cutoff)).scalars().all()
    for row_id in stale:
        with _session(settings) as db, db.begin():
            claimed = db.execute(
                update(Handoff).where(Handoff.id == row_id, Handoff.ended_at.is_(None), Handoff.seen_at < cutoff)
                .values(ended_at=utcnow(), end_reason="timeout")
            ).rowcount
            if claimed:
                row = db.get(Handoff, row_id)
                holder = db.get(Staff, row.staff_id)
                audit.record(db, "handoff_ended", target=row.public_id, detail={
                    "reason": "timeout", "holder": holder.email if holder else None,
                    "after_seconds": settings.handoff.hand_back_after_seconds})
    return resume_pending(settings, rasa)


def resume_pending(settings: Settings, rasa: Rasa) -> int:
    """Resume conversations whose handoff ended but Rasa has not yet accepted the resume."""
    resumed = 0
    with _session(settings) as db:
        pending = db.execute(select(Handoff).where(
            Handoff.ended_at.is_not(None), Handoff.resumed_at.is_(None),
            Handoff.end_reason.in_(("handed_back", "timeout")),
        )).scalars().all()
        rows = []
        for row in pending:
            if active(db, row.sender_id) is None:  # someone joined again since: it stays paused
                rows.append((row, db.get(Staff, row.staff_id)))
        db.expunge_all()
    for row, holder in rows:
        resumed += _resume(settings, rasa, row, holder, row.end_reason)  # the transcript names the holder
    return resumed


def _case_ids(db: Session, sender_id: str) -> list[str]:
    from bot.models import Case

    return list(db.execute(select(Case.public_id).where(Case.sender_id == sender_id).order_by(Case.id)).scalars())


def record_flagged_message(settings: Settings, sender_id: str) -> Optional[dict[str, Any]]:
    """After a person's message reached a paused conversation: if the safety component flagged it,
    create its case now (the dialogue, and so the action server's fast path, is paused; the key is the
    tracker event's, as the reconciler's). Returns the event's safety data when flagged."""
    with get_engine(settings).connect() as connection:
        events = transcript.conversation(connection, sender_id, ("user",), limit=1)
    if not events:
        return None
    escalation = _escalation_from_user_event(events[0])
    if escalation is None:
        return None
    record_escalation(escalation.sender_id, escalation.event_timestamp, escalation.kind, escalation.categories,
                      escalation.rule_ids, settings=settings, source="handoff")
    return events[0].safety


def state_for_person(settings: Settings, sender_id: str) -> dict[str, Any]:
    """What the widget shows about a person from the clinic: present or not, and the words for it."""
    with _session(settings) as db:
        row = active(db, sender_id)
        if row is None:
            return {"present": False}
        clinic = settings.clinic.name
        return {
            "present": True,
            "status": texts.handoff("present", name=row.display_name, clinic_name=clinic),
            "crisis_line": texts.handoff("crisis_line"),
        }


def staff_label(settings: Settings, name: str) -> str:
    return texts.handoff("staff_label", name=name, clinic_name=settings.clinic.name)


def seen_recently(row: Handoff, settings: Settings) -> bool:
    return aware(row.seen_at) >= utcnow() - timedelta(seconds=settings.handoff.hand_back_after_seconds)
