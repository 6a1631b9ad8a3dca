"""Our own tables (Alembic-managed). Rasa's tracker store `events` lives beside them and is Rasa's."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import (
    JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import declarative_base

Base = declarative_base()

# Case statuses, in the order staff move a case along; the last two close it.
CASE_STATUSES = ("new", "in_review", "contacted", "resolved", "false_alarm")
OPEN_STATUSES = ("new", "in_review", "contacted")
ROLES = ("reviewer", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_public_id() -> str:
    """An opaque id for URLs: 96 random bits, so ids cannot be guessed or counted.

    It never starts with '-': staff paste ids into `bot unanswered show ID`, and a shell argument
    beginning with '-' reads as an option (CI once failed on one id in 64).
    """
    while True:
        public_id = secrets.token_urlsafe(12)
        if not public_id.startswith("-"):
            return public_id


class Case(Base):
    """One escalation: a flagged user message that staff must review.

    Keyed by (sender_id, event_timestamp) so the action server's fast path and the reconciler
    never create the same case twice. `public_id` is what URLs and the API show.
    """

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("sender_id", "event_timestamp", name="uq_cases_sender_event"),)

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True, default=new_public_id)
    sender_id = Column(String(255), nullable=False, index=True)
    event_timestamp = Column(Float, nullable=False)
    kind = Column(String(32), nullable=False)
    categories = Column(JSON, nullable=False, default=list)
    rule_ids = Column(JSON, nullable=False, default=list)
    status = Column(String(32), nullable=False, default="new", index=True)
    # Kept for `bot escalations list`: the assignee's e-mail, mirrored from assignee_id.
    assignee = Column(String(255), nullable=True)
    assignee_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    # "action" (created at once by the action server) or "reconciler" (found in tracker events).
    source = Column(String(32), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    status_changed_at = Column(DateTime(timezone=True), nullable=True)
    # A false alarm records which rule or model fired, for the safety corpus.
    false_alarm_rule = Column(String(255), nullable=True)
    # Alerts: when the first alert was queued, and when the escalation contact was alerted.
    alerted_at = Column(DateTime(timezone=True), nullable=True)
    escalated_at = Column(DateTime(timezone=True), nullable=True)
    # One open case per conversation (bot/escalations.py): a later flagged message while this case is open is
    # a row of case_escalations on it, not a new case. How many flagged messages the case holds, and the time
    # of the latest one when there is more than one (the message's own time, so whichever path records it
    # first, the case reads the same).
    escalation_count = Column(Integer, nullable=False, default=1, server_default=text("1"))
    escalated_again_at = Column(DateTime(timezone=True), nullable=True)
    # When a later message raised the case's kind (crisis -> emergency), and when the alert saying so was
    # queued: the alert worker sends one alert per rise (bot/console/alerts.py).
    raised_at = Column(DateTime(timezone=True), nullable=True)
    raised_alerted_at = Column(DateTime(timezone=True), nullable=True)


class CaseEscalation(Base):
    """One flagged message of a case: what it was flagged as, keyed like the case key (sender id, the
    message's time), so the action server, the reconciler, the gateway and the handoff record it once.

    Why a table: one person's conversation is one case while it is open, however many messages escalate;
    staff still see each of them (kind, categories, rules, time) and nothing is lost.
    """

    __tablename__ = "case_escalations"
    __table_args__ = (UniqueConstraint("sender_id", "event_timestamp", name="uq_case_escalations_sender_event"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    sender_id = Column(String(255), nullable=False)
    event_timestamp = Column(Float, nullable=False)
    kind = Column(String(32), nullable=False)
    categories = Column(JSON, nullable=False, default=list)
    rule_ids = Column(JSON, nullable=False, default=list)
    # "action", "reconciler", "gateway" or "handoff": which path recorded it first.
    source = Column(String(32), nullable=False)
    recorded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ReconcilerState(Base):
    """How far the reconciler has read the tracker store's events table."""

    __tablename__ = "reconciler_state"

    id = Column(Integer, primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)


class Staff(Base):
    """A console account. No default account ships: `bot staff add` creates the first one."""

    __tablename__ = "staff"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True, default=new_public_id)
    email = Column(String(255), nullable=False, unique=True)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)
    # Two-step sign-in: base32 secret once set up; the last time step used (codes are single-use).
    totp_secret = Column(String(64), nullable=True)
    totp_last_step = Column(Integer, nullable=True)
    # An admin can require two-step sign-in of one reviewer; admins always need it.
    totp_required = Column(Boolean, nullable=False, default=False)
    # sha256 of each unused recovery code.
    recovery_codes = Column(JSON, nullable=False, default=list)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    disabled_at = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = Column(DateTime(timezone=True), nullable=True)


class StaffSession(Base):
    """A server-side sign-in: the cookie holds a random token, this row its sha256, so a logout or a
    disabled account ends it at once."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False, index=True)
    # "password" (second step pending), "enrol" (must set up two-step sign-in) or "full".
    stage = Column(String(16), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    address = Column(String(64), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    # A two-step secret being set up, not yet confirmed with a code.
    pending_totp_secret = Column(String(64), nullable=True)


class CaseEvent(Base):
    """Status history and assignments of a case: who, what, when. Append-only."""

    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # "status" or "assign"
    change = Column(String(16), nullable=False)
    from_value = Column(String(255), nullable=True)
    to_value = Column(String(255), nullable=True)
    detail = Column(String(255), nullable=True)


class CaseNote(Base):
    """A staff note on a case, with author and time. Append-only: notes are never edited."""

    __tablename__ = "case_notes"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    body = Column(Text, nullable=False)


class CaseViewer(Base):
    """Who has a case open right now ("being viewed by ..."), refreshed while the page is open."""

    __tablename__ = "case_viewers"
    __table_args__ = (UniqueConstraint("case_id", "staff_id", name="uq_case_viewers"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AuditEntry(Base):
    """Append-only record of every sign-in, read, change and purge: who, what, when, from where.

    Never message text. Database triggers refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    # The account's e-mail at the time (or the e-mail tried, for a failed sign-in; "system" for jobs).
    actor = Column(String(255), nullable=False)
    action = Column(String(64), nullable=False, index=True)
    # What was acted on: a case's public id, an account's e-mail, ...
    target = Column(String(255), nullable=True)
    address = Column(String(64), nullable=True)
    detail = Column(JSON, nullable=False, default=dict)


class AlertDelivery(Base):
    """One alert to one channel (e-mail or webhook) about one case, retried until sent or given up."""

    __tablename__ = "alert_deliveries"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    # "new_case", "raised" (a later message made the case more urgent) or "escalation" (the case stayed new
    # too long)
    reason = Column(String(16), nullable=False)
    channel = Column(String(16), nullable=False)
    # pending, sent, failed (gave up)
    status = Column(String(16), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_error = Column(String(255), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True), nullable=True)


class Handoff(Base):
    """A staff member holding a conversation (live handoff): the assistant is paused meanwhile.

    One row per holder: a take-over ends the old row and starts a new one. At most one row per
    conversation is active (ended_at null), enforced by a partial unique index, so two staff members
    (or two web-app processes) can never hold one conversation at once. The pause itself lives in
    Rasa's tracker store (ConversationPaused/Resumed events); this row says who holds it, since when,
    and when their console page was last seen (the hand-back timer, shared by every process).
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("uq_handoffs_active_sender", "sender_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True, default=new_public_id)
    sender_id = Column(String(255), nullable=False, index=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False)
    # The name the person sees ("Sam"), chosen by the staff member when joining.
    display_name = Column(String(64), nullable=False)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # Refreshed while the holder's console page is open; too old means their browser is gone.
    seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    # handed_back, timeout, taken_over, join_failed
    end_reason = Column(String(16), nullable=True)
    # When the assistant was resumed in Rasa after this row ended (null: still to do, or taken over).
    resumed_at = Column(DateTime(timezone=True), nullable=True)


class UnansweredMessage(Base):
    """A message the assistant never answered (Rasa down or slow, or the gateway refused it).

    Why a table: such a message is not in Rasa's tracker store, so this row is the clinic's only record
    that someone wrote it (and, for a flagged one, the words behind its case). Keyed by (sender_id,
    received_at) so the gateway, its disk spool and the one-time import of the old JSON Lines file
    can all write the same message without duplicating it. Staff read it in the console or with
    `bot unanswered`; every read of the text is audited.
    """

    __tablename__ = "unanswered_messages"
    __table_args__ = (UniqueConstraint("sender_id", "received_at", name="uq_unanswered_sender_received"),)

    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), nullable=False, unique=True, default=new_public_id)
    sender_id = Column(String(255), nullable=False, index=True)
    received_at = Column(Float, nullable=False, index=True)
    # "unreachable", "timeout", "error" (Rasa) or "refused_<error>" (the gateway refused it).
    reason = Column(String(64), nullable=False)
    kind = Column(String(32), nullable=False)
    categories = Column(JSON, nullable=False, default=list)
    case_created = Column(Boolean, nullable=False, default=False)
    text = Column(Text, nullable=False)
    stored_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
