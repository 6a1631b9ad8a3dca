"""Durable escalation cases: created at once by the action server, guaranteed by the reconciler.

Why two paths: the flagged message is already in Rasa's tracker store the moment it is processed.
The action server records the case immediately (fast path), but it may be down; the reconciler reads
the tracker store's `events` table (at startup, periodically, and on `bot escalations sync`) and
creates any case that is missing. Both use the same key, so a case is never created twice.

One open case per conversation: a flagged message while the conversation's case is open is recorded on
that case (case_escalations), which rises to the most severe kind; a closed case is never reopened, so a
message after it starts a new case.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import transcript
from bot.case_identity import (  # noqa: F401 - INTENT_KINDS re-exported
    CASE_KINDS, ESCALATING_INTENTS, INTENT_KINDS, RESOURCE_CARD_KINDS, case_kind, confirmed_check_in_categories,
    message_time, rule_ids_of,
)
from bot.db import get_engine
from bot.models import OPEN_STATUSES, Case, CaseEscalation, ReconcilerState, utcnow
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


def more_severe(a: str, b: str) -> str:
    """The more urgent of two case kinds (a on a tie): CASE_KINDS is most urgent first, and an unknown kind sits
    with crisis, as the console reads it."""
    def rank(kind: str) -> int:
        return CASE_KINDS.index(kind) if kind in CASE_KINDS else CASE_KINDS.index("crisis")
    return b if rank(b) < rank(a) else a


def _open_case(session: Session, sender_id: str) -> Optional[Case]:
    """The conversation's open case (the oldest, where an earlier version left several), locked for the update."""
    return session.execute(
        select(Case).where(Case.sender_id == sender_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id).limit(1).with_for_update()
    ).scalars().first()


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def _insert(session: Session, escalation: Escalation, source: str) -> Optional[str]:
    """Record one flagged message: "created" (a new case), "added" (a row on the conversation's open case),
    or None when it is recorded already (by any path).

    One open case per conversation: staff saw two rows for one person when a second message escalated. A
    later message goes on the open case instead: its own row in case_escalations (kind, categories, rules,
    time), the case's kind rises to the most severe, its categories and rules gather every message's, and it
    shows that and when it was escalated again. Every value is a function of the set of messages, not of
    the order in which the paths record them, so the gateway's, the reconciler's and the action server's
    records coincide (issue 11); only `source` says who was first."""
    key = (Case.sender_id == escalation.sender_id, Case.event_timestamp == escalation.event_timestamp)
    recorded = session.execute(select(CaseEscalation.id).where(
        CaseEscalation.sender_id == escalation.sender_id,
        CaseEscalation.event_timestamp == escalation.event_timestamp)).first()
    if recorded or session.execute(select(Case.id).where(*key)).first():
        return None
    categories, rule_ids = sorted(set(escalation.categories)), sorted(set(escalation.rule_ids))
    case = _open_case(session, escalation.sender_id)
    outcome = "added"
    if case is None:
        case = Case(sender_id=escalation.sender_id, event_timestamp=escalation.event_timestamp, kind=escalation.kind,
                    categories=categories, rule_ids=rule_ids, status="new", source=source, escalation_count=0)
        session.add(case)
        session.flush()  # its id, for the escalation row
        outcome = "created"
    else:
        risen = more_severe(case.kind, escalation.kind)
        if risen != case.kind:
            case.kind, case.raised_at = risen, utcnow()
        case.categories = sorted(set(case.categories or []) | set(categories))
        case.rule_ids = sorted(set(case.rule_ids or []) | set(rule_ids))
    session.add(CaseEscalation(case_id=case.id, sender_id=escalation.sender_id,
                                event_timestamp=escalation.event_timestamp, kind=escalation.kind,
                                categories=categories, rule_ids=rule_ids, source=source))
    session.flush()
    times = sorted(session.execute(select(CaseEscalation.event_timestamp)
                                   .where(CaseEscalation.case_id == case.id)).scalars())
    case.escalation_count = len(times)
    # The case is about its earliest flagged message (the transcript marks it); "again" is the latest.
    if times[0] != case.event_timestamp:
        case.event_timestamp = times[0]
    case.escalated_again_at = _moment(times[-1]) if len(times) > 1 else None
    return outcome


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
    """Record one flagged message (idempotent): a new case, or a row on the conversation's open case.
    True when it was not recorded before."""
    engine = get_engine(settings or get_settings())
    escalation = Escalation(sender_id, float(event_timestamp), kind, list(categories), list(rule_ids))
    try:
        with Session(engine, future=True) as session, session.begin():
            outcome = _insert(session, escalation, source)
    except IntegrityError:
        return False  # the reconciler (or another replica) won the race: the message is recorded
    if outcome == "created":
        logger.info("case created: kind=%s source=%s", kind, source)
    elif outcome == "added":
        logger.info("escalation added to the conversation's open case: kind=%s source=%s", kind, source)
    return outcome is not None


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
    """Record every escalation missing from the tracker store (a new case, or a row on the conversation's
    open case); returns how many it recorded."""
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
            created += _insert(session, escalation, source="reconciler") is not None
        state.last_event_id = last_id
    if created:
        logger.info("reconciler recorded %d missing escalation(s)", created)
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
        "escalation_count": int(case.escalation_count or 1),
        "escalated_again_at": case.escalated_again_at.isoformat() if case.escalated_again_at else None,
    }


def iter_table(cases: Iterable[dict[str, Any]]) -> Iterable[str]:
    """Plain-text rows for a terminal."""
    yield f"{'id':>5}  {'created_at':<32} {'kind':<10} {'status':<9} sender_id  categories"
    for case in cases:
        yield (f"{case['id']:>5}  {case['created_at']:<32} {case['kind']:<10} {case['status']:<9} "
               f"{case['sender_id']}  {','.join(case['categories'])}")
