"""Our own tables (Alembic-managed). Rasa's tracker store `events` lives beside them and is Rasa's."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Case(Base):
    """One escalation: a flagged user message that staff must review.

    Keyed by (sender_id, event_timestamp) so the action server's fast path and the reconciler
    never create the same case twice.
    """

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("sender_id", "event_timestamp", name="uq_cases_sender_event"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    event_timestamp = Column(Float, nullable=False)
    kind = Column(String(32), nullable=False)
    categories = Column(JSON, nullable=False, default=list)
    rule_ids = Column(JSON, nullable=False, default=list)
    status = Column(String(32), nullable=False, default="new", index=True)
    assignee = Column(String(255), nullable=True)
    # "action" (created at once by the action server) or "reconciler" (found in tracker events).
    source = Column(String(32), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ReconcilerState(Base):
    """How far the reconciler has read the tracker store's events table."""

    __tablename__ = "reconciler_state"

    id = Column(Integer, primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)
