"""Retention purge: conversations idle for longer than `conversations.retention_days` are deleted.

Why whole conversations by their last activity: deleting only the old events of a conversation that
is still going on would corrupt its dialogue state. Cases keep no message text, so they stay for the
clinic's records; the transcript (Rasa's `events` table) goes, as the privacy notice promises.
"""
from __future__ import annotations

import logging
import time
from typing import Optional

from sqlalchemy import column, func, inspect, select, table

from bot.db import get_engine
from bot.settings import Settings

logger = logging.getLogger(__name__)

_events = table("events", column("sender_id"), column("timestamp"))


def purge_expired_conversations(settings: Settings, now: Optional[float] = None) -> int:
    """Delete every conversation whose latest event is older than the retention period; returns how many."""
    cutoff = (now or time.time()) - settings.conversations.retention_days * 86400
    engine = get_engine(settings)
    with engine.begin() as connection:
        if not inspect(connection).has_table("events"):
            return 0
        expired = (
            select(_events.c.sender_id)
            .group_by(_events.c.sender_id)
            .having(func.max(_events.c.timestamp) < cutoff)
        )
        senders = [row.sender_id for row in connection.execute(expired)]
        for start in range(0, len(senders), 500):
            connection.execute(_events.delete().where(_events.c.sender_id.in_(senders[start:start + 500])))
    if senders:
        logger.info("retention: deleted %d conversation(s) idle for more than %d days",
                    len(senders), settings.conversations.retention_days)
    return len(senders)
