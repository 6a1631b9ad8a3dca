"""The transcript of record: the one module that reads Rasa's tracker store (`events` table).

Why one module: Rasa owns the `events` table and writes every user, bot, action and slot event there
as it processes them. The widget's history, the escalation reconciler, the retention purge and the
staff console all read it; declaring the table once keeps them reading the same columns the same way,
and keeps the only deletion of conversations (retention) next to the only reads.

Functions take an open SQLAlchemy `Connection`, so callers decide on transactions; every one returns
nothing (not an error) when Rasa has not created the table yet.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import column, func, inspect, or_, select, table
from sqlalchemy.engine import Connection

EVENTS = table(
    "events",
    column("id"), column("sender_id"), column("type_name"), column("timestamp"),
    column("intent_name"), column("action_name"), column("data"),
)
# Deleting in chunks keeps each statement's parameter list within SQLite's limits.
CHUNK = 500


@dataclass(frozen=True)
class Event:
    """One tracker event as stored by Rasa; `data` is the event's JSON, decoded ({} when unreadable)."""

    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: Optional[str] = None
    action_name: Optional[str] = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> Optional[str]:
        text = self.data.get("text")
        return text if isinstance(text, str) else None

    @property
    def parse_data(self) -> dict[str, Any]:
        parse = self.data.get("parse_data")
        return parse if isinstance(parse, dict) else {}

    @property
    def handoff(self) -> dict[str, Any]:
        """For a bot event the web app added during a live handoff: {"kind": "message" | "joined" |
        "left" | "gone" | "reentry", and for staff "staff_id", "staff_email", "name"}; else {}.
        Staff messages are bot events whose metadata names the staff account (who said what)."""
        metadata = self.data.get("metadata")
        handoff = metadata.get("handoff") if isinstance(metadata, dict) else None
        return handoff if isinstance(handoff, dict) else {}

    @property
    def safety(self) -> dict[str, Any]:
        """The safety assessment the NLU component attached to a user message (kind, escalate,
        categories, spans, source, ...), or {}."""
        safety = self.parse_data.get("safety")
        return safety if isinstance(safety, dict) else {}


def _decode(raw: Any) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _event(row: Any) -> Event:
    return Event(
        id=int(row.id), sender_id=row.sender_id, type_name=row.type_name,
        timestamp=float(row.timestamp or 0.0), intent_name=row.intent_name,
        action_name=row.action_name, data=_decode(row.data),
    )


def exists(connection: Connection) -> bool:
    """Whether Rasa has created its tracker store in this database yet."""
    return inspect(connection).has_table("events")


def conversation(
    connection: Connection,
    sender_id: str,
    type_names: Optional[Sequence[str]] = None,
    limit: Optional[int] = None,
) -> list[Event]:
    """One conversation's events, oldest first; with `limit`, only the newest `limit` of them."""
    if not exists(connection):
        return []
    query = select(EVENTS).where(EVENTS.c.sender_id == sender_id)
    if type_names:
        query = query.where(EVENTS.c.type_name.in_(list(type_names)))
    if limit is None:
        return [_event(row) for row in connection.execute(query.order_by(EVENTS.c.id))]
    rows = connection.execute(query.order_by(EVENTS.c.id.desc()).limit(limit)).all()
    return [_event(row) for row in reversed(rows)]


def conversation_after(
    connection: Connection, sender_id: str, after_id: int, type_names: Optional[Sequence[str]] = None,
    limit: int = 500,
) -> list[Event]:
    """One conversation's events with id > after_id, oldest first (what a live view has not shown yet)."""
    if not exists(connection):
        return []
    query = select(EVENTS).where(EVENTS.c.sender_id == sender_id, EVENTS.c.id > after_id)
    if type_names:
        query = query.where(EVENTS.c.type_name.in_(list(type_names)))
    return [_event(row) for row in connection.execute(query.order_by(EVENTS.c.id).limit(limit))]


def last_event_id_of(connection: Connection, sender_id: str) -> int:
    """The newest event id of one conversation (0 when none): where a live view starts."""
    if not exists(connection):
        return 0
    return connection.execute(
        select(func.max(EVENTS.c.id)).where(EVENTS.c.sender_id == sender_id)
    ).scalar() or 0


def recent_conversations(connection: Connection, since: float, limit: int = 100) -> list[tuple[str, float]]:
    """(sender id, time of the newest event) of conversations active since `since`, newest first."""
    if not exists(connection):
        return []
    rows = connection.execute(
        select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp).label("last"))
        .group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) >= since)
        .order_by(func.max(EVENTS.c.timestamp).desc())
        .limit(limit)
    ).all()
    return [(row.sender_id, float(row.last)) for row in rows]


def events_since(
    connection: Connection,
    after_id: int,
    user_intents: Iterable[str] = (),
    action_names: Iterable[str] = (),
) -> list[Event]:
    """Events with id > after_id (any conversation) that are user messages with one of these intents
    or actions with one of these names; oldest first."""
    if not exists(connection):
        return []
    intents, actions = list(user_intents), list(action_names)
    query = select(EVENTS).where(EVENTS.c.id > after_id)
    if intents or actions:
        query = query.where(or_(
            (EVENTS.c.type_name == "user") & EVENTS.c.intent_name.in_(intents),
            (EVENTS.c.type_name == "action") & EVENTS.c.action_name.in_(actions),
        ))
    return [_event(row) for row in connection.execute(query.order_by(EVENTS.c.id))]


def last_event_id(connection: Connection) -> int:
    if not exists(connection):
        return 0
    return connection.execute(select(func.max(EVENTS.c.id))).scalar() or 0


def user_event_before(connection: Connection, sender_id: str, before_id: int) -> Optional[Event]:
    """The person's last message before the event with this id (what led to a bot action)."""
    row = connection.execute(
        select(EVENTS)
        .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "user", EVENTS.c.id < before_id)
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    ).first()
    return _event(row) if row else None


def action_before(connection: Connection, sender_id: str, before_id: int) -> Optional[str]:
    """The bot's last action (not listening) before the event with this id: the question a message answered."""
    row = connection.execute(
        select(EVENTS.c.action_name)
        .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "action", EVENTS.c.id < before_id,
               EVENTS.c.action_name != "action_listen")
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    ).first()
    return row.action_name if row else None


def search_senders(connection: Connection, fragment: str, limit: int = 50) -> list[str]:
    """Conversation ids containing `fragment` (staff paste part of an id), most recently active first."""
    if not exists(connection) or not fragment:
        return []
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = connection.execute(
        select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp).label("last"))
        .where(EVENTS.c.sender_id.like(f"%{escaped}%", escape="\\"))
        .group_by(EVENTS.c.sender_id)
        .order_by(func.max(EVENTS.c.timestamp).desc())
        .limit(limit)
    ).all()
    return [row.sender_id for row in rows]


def last_user_message_at(connection: Connection, sender_ids: Iterable[str]) -> dict[str, float]:
    """When each of these people last wrote (epoch seconds); people who never wrote are absent."""
    senders = sorted(set(sender_ids))
    if not senders or not exists(connection):
        return {}
    found: dict[str, float] = {}
    for start in range(0, len(senders), CHUNK):
        rows = connection.execute(
            select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp))
            .where(EVENTS.c.sender_id.in_(senders[start:start + CHUNK]), EVENTS.c.type_name == "user")
            .group_by(EVENTS.c.sender_id)
        ).all()
        found.update({sender: float(at) for sender, at in rows if at is not None})
    return found


def idle_senders(connection: Connection, cutoff: float) -> list[str]:
    """Conversations whose latest event is older than `cutoff` (epoch seconds)."""
    if not exists(connection):
        return []
    rows = connection.execute(
        select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(func.max(EVENTS.c.timestamp) < cutoff)
    )
    return [row.sender_id for row in rows]


def delete_conversations(connection: Connection, sender_ids: Sequence[str]) -> int:
    """Delete every event of these conversations; returns how many events went."""
    deleted = 0
    for start in range(0, len(sender_ids), CHUNK):
        result = connection.execute(EVENTS.delete().where(EVENTS.c.sender_id.in_(list(sender_ids[start:start + CHUNK]))))
        deleted += result.rowcount or 0
    return deleted
