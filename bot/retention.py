"""Retention purge: what is kept, and for how long, exactly as the privacy notice says.

- A conversation (Rasa's `events`) is deleted once idle for longer than `conversations.retention_days`,
  unless it has an open case: staff must be able to read what was said until the case is closed.
  Deleting only the old events of a conversation that is still going on would corrupt its dialogue
  state, so whole conversations go, by their last activity.
- A closed case (kind, categories, rule ids, status history, staff notes, alert records; no message
  text) is deleted `conversations.case_retention_days` after it was closed.
- Each purge that removed anything writes one audit entry with ids and counts, never text.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import audit, transcript
from bot.db import get_engine
from bot.models import OPEN_STATUSES, AlertDelivery, Case, CaseEscalation, CaseEvent, CaseNote, CaseViewer, Handoff
from bot.settings import Settings

logger = logging.getLogger(__name__)


def _purge_closed_cases(session: Session, cutoff: datetime) -> list[str]:
    """Delete closed cases (and what hangs off them) closed before cutoff; their public ids."""
    cases = session.execute(
        select(Case.id, Case.public_id)
        .where(Case.status.not_in(OPEN_STATUSES), Case.status_changed_at < cutoff)
    ).all()
    ids = [case.id for case in cases]
    for start in range(0, len(ids), transcript.CHUNK):
        chunk = ids[start:start + transcript.CHUNK]
        for model in (CaseNote, CaseEvent, CaseViewer, AlertDelivery, CaseEscalation):
            session.execute(delete(model).where(model.case_id.in_(chunk)))
        session.execute(delete(Case).where(Case.id.in_(chunk)))
    return [case.public_id for case in cases]


def purge(settings: Settings, now: Optional[float] = None) -> dict[str, object]:
    """Run the purge; returns what it removed: {"conversations", "events", "cases", "kept_open"}."""
    now = now or time.time()
    retention = settings.conversations
    cutoff = now - retention.retention_days * 86400
    case_cutoff = datetime.fromtimestamp(now, timezone.utc) - timedelta(days=retention.case_retention_days)
    with Session(get_engine(settings), future=True) as session, session.begin():
        connection = session.connection()
        idle = set(transcript.idle_senders(connection, cutoff))
        open_cases = set(session.execute(
            select(Case.sender_id).where(Case.status.in_(OPEN_STATUSES), Case.sender_id.in_(sorted(idle)))
        ).scalars()) if idle else set()
        senders = sorted(idle - open_cases)
        events = transcript.delete_conversations(connection, senders)
        for start in range(0, len(senders), 500):  # who held a deleted conversation goes with it
            session.execute(delete(Handoff).where(Handoff.sender_id.in_(senders[start:start + 500])))
        cases = _purge_closed_cases(session, case_cutoff)
        result = {"conversations": len(senders), "events": events, "cases": len(cases),
                  "kept_open": len(open_cases)}
        if senders or cases:
            audit.record(session, "retention_purge", detail={
                **result, "conversation_ids": senders, "case_ids": cases,
                "retention_days": retention.retention_days,
                "case_retention_days": retention.case_retention_days,
            })
    if senders or cases:
        logger.info("retention: deleted %d conversation(s) (%d events) and %d closed case(s); "
                    "kept %d idle conversation(s) with an open case", len(senders), events, len(cases),
                    len(open_cases))
    return result


def purge_expired_conversations(settings: Settings, now: Optional[float] = None) -> int:
    """Run the purge; returns how many conversations were deleted."""
    return int(purge(settings, now)["conversations"])
