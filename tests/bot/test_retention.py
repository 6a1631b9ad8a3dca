"""Conversations idle past the retention period are deleted; active ones, and cases, stay."""
import time

from sqlalchemy import text

from bot.db import get_engine
from bot.escalations import list_cases, record_escalation
from bot.retention import purge_expired_conversations
from tests.bot.conftest import user_event

DAY = 86400


def senders(settings) -> set[str]:
    with get_engine(settings).connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}


def test_only_conversations_idle_past_retention_are_deleted(settings, tracker_writer):
    now = time.time()
    old = now - (settings.conversations.retention_days + 1) * DAY
    tracker_writer.save("old", user_event("hello", "greet", at=old), user_event("i feel low", "mood_low", at=old + 60))
    tracker_writer.save("ongoing", user_event("hello", "greet", at=old), user_event("still here", "greet", at=now))
    tracker_writer.save("recent", user_event("hi", "greet", at=now))
    record_escalation("old", old, "crisis", ["active_ideation"], [], settings=settings)

    assert purge_expired_conversations(settings, now=now) == 1
    assert senders(settings) == {"ongoing", "recent"}
    assert [case["sender_id"] for case in list_cases(settings)] == ["old"]  # the case (no text) stays
    assert purge_expired_conversations(settings, now=now) == 0


def test_purge_before_rasa_ever_ran_does_nothing(settings):
    assert purge_expired_conversations(settings) == 0
