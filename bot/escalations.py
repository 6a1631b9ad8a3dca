"""Durable escalation cases: created at once by the action server, guaranteed by the reconciler.

Why two paths: the flagged message is already in Rasa's tracker store the moment it is processed.
The action server records the case immediately (fast path), but it may be down; the reconciler reads
the tracker store's `events` table (at startup, periodically, and on `bot escalations sync`) and
creates any case that is missing. Both use the same key, so a case is never created twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import transcript
from bot.case_identity import (  # noqa: F401 - INTENT_KINDS re-exported
    ESCALATING_INTENTS, INTENT_KINDS, RESOURCE_CARD_KINDS, case_kind, confirmed_check_in_categories, message_time,
    rule_ids_of,
)
from bot.db import get_engine
from bot.models import Case, ReconcilerState
from bot.settings import Settings, get_settings
from bot.transcript import Event

logger = logging.getLogger(__name__)

# One table for every path that records cases (bot/case_identity.py); re-exported for callers here.
RESOURCE_CARD_ACTIONS = RESOURCE_CARD_KINDS
# Events are re-read this far behind the watermark: with several Rasa replicas on PostgreSQL, an
# event with a lower id can commit after a higher one. Re-reading is harmless (inserts are idempotent).
RESCAN_WINDOW = 500


@dataclass(frozen=True)
class Escalation:
    sender_id: str
    event_timestamp: float
    kind: str
    categories: list[str]
    rule_ids: list[str]


def _insert(session: Session, escalation: Escalation, source: str) -> bool:
    """Insert unless the case exists; True when a case was created."""
    exists = session.execute(
        select(Case.id).where(
            Case.sender_id == escalation.sender_id,
            Case.event_timestamp == escalation.event_timestamp,
        )
    ).first()
    if exists:
        return False
    session.add(
        Case(
            sender_id=escalation.sender_id,
            event_timestamp=escalation.event_timestamp,
            kind=escalation.kind,
            categories=sorted(set(escalation.categories)),
            rule_ids=sorted(set(escalation.rule_ids)),
            status="new",
            source=source,
        )
    )
    return True


def record_escalation(
    sender_id: str,
    event_timestamp: float,
    kind: str,
    categories: list[str],
    rule_ids: list[str],
    *,
    settings: Optional[Settings] = None,
    source: str = "action",
) -> bool:
    """Create the case for one flagged message (idempotent). True when it was new."""
    engine = get_engine(settings or get_settings())
    escalation = Escalation(sender_id, float(event_timestamp), kind, list(categories), list(rule_ids))
    try:
        with Session(engine, future=True) as session, session.begin():
            created = _insert(session, escalation, source)
    except IntegrityError:
        return False  # the reconciler (or another replica) won the race: the case exists
    if created:
        logger.info("case created: kind=%s source=%s", kind, source)
    return created


def _escalation_from_user_event(event: Event) -> Optional[Escalation]:
    safety = event.safety
    kind = case_kind(event.intent_name, safety)
    if kind is None:
        return None
    return Escalation(
        sender_id=event.sender_id,
        event_timestamp=_key_time(event),
        kind=kind,
        categories=list(safety.get("categories") or []),
        rule_ids=rule_ids_of(safety),
    )


def _key_time(event: Event) -> float:
    """The case key's time: the gateway's arrival stamp when the message has one (case_identity)."""
    stamped = message_time(event.data)
    return stamped if stamped is not None else float(event.timestamp)


def _find_escalations(connection: Connection, after_id: int) -> tuple[list[Escalation], int]:
    """Escalations in tracker events with id > after_id, and the highest event id seen."""
    last_id = transcript.last_event_id(connection)
    events = transcript.events_since(connection, after_id, ESCALATING_INTENTS, RESOURCE_CARD_ACTIONS)
    found: list[Escalation] = []
    for event in events:
        if event.type_name == "user":
            escalation = _escalation_from_user_event(event)
            if escalation:
                found.append(escalation)
            continue
        # A resource card: the case belongs to the user message that led to it.
        previous = transcript.user_event_before(connection, event.sender_id, event.id)
        if previous is None:
            continue
        escalation = _escalation_from_user_event(previous) or Escalation(
            sender_id=event.sender_id,
            event_timestamp=_key_time(previous),
            kind=RESOURCE_CARD_ACTIONS[event.action_name or ""],
            categories=confirmed_check_in_categories(
                transcript.action_before(connection, event.sender_id, previous.id), previous.intent_name),
            rule_ids=[],
        )
        found.append(escalation)
    return found, last_id


def reconcile(settings: Optional[Settings] = None) -> int:
    """Create every case missing for escalations in the tracker store; returns how many were created."""
    engine: Engine = get_engine(settings or get_settings())
    created = 0
    with Session(engine, future=True) as session, session.begin():
        connection = session.connection()
        if not transcript.exists(connection):
            return 0
        state = session.get(ReconcilerState, 1)
        if state is None:
            state = ReconcilerState(id=1, last_event_id=0)
            session.add(state)
        escalations, last_id = _find_escalations(connection, max(0, state.last_event_id - RESCAN_WINDOW))
        for escalation in escalations:
            created += _insert(session, escalation, source="reconciler")
        state.last_event_id = last_id
    if created:
        logger.info("reconciler created %d missing case(s)", created)
    return created


def list_cases(settings: Optional[Settings] = None, status: Optional[str] = None) -> list[dict[str, Any]]:
    """Cases newest first, as JSON-ready dicts."""
    engine = get_engine(settings or get_settings())
    query = select(Case).order_by(Case.created_at.desc(), Case.id.desc())
    if status:
        query = query.where(Case.status == status)
    with Session(engine, future=True) as session:
        return [_case_dict(case) for case in session.execute(query).scalars()]


def _case_dict(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "sender_id": case.sender_id,
        "event_timestamp": case.event_timestamp,
        "kind": case.kind,
        "categories": list(case.categories or []),
        "rule_ids": list(case.rule_ids or []),
        "status": case.status,
        "assignee": case.assignee,
        "source": case.source,
        "created_at": case.created_at.isoformat() if case.created_at else None,
    }


def iter_table(cases: Iterable[dict[str, Any]]) -> Iterable[str]:
    """Plain-text rows for a terminal."""
    yield f"{'id':>5}  {'created_at':<32} {'kind':<10} {'status':<9} sender_id  categories"
    for case in cases:
        yield (f"{case['id']:>5}  {case['created_at']:<32} {case['kind']:<10} {case['status']:<9} "
               f"{case['sender_id']}  {','.join(case['categories'])}")
