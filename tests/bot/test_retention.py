"""Retention keeps what the privacy notice says it keeps, deletes the rest, and audits what went."""
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot.db import get_engine
from bot.escalations import list_cases, record_escalation
from bot.models import AuditEntry, Case
from bot.retention import purge, purge_expired_conversations
from tests.bot.conftest import user_event

DAY = 86400


def senders(settings) -> set[str]:
    with get_engine(settings).connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}


def audit_entries(settings) -> list[AuditEntry]:
    with Session(get_engine(settings)) as session:
        return list(session.execute(select(AuditEntry).where(AuditEntry.action == "retention_purge")).scalars())


def close_case(settings, sender_id: str, status: str, closed_at: datetime) -> None:
    with get_engine(settings).begin() as connection:
        connection.execute(update(Case).where(Case.sender_id == sender_id)
                           .values(status=status, status_changed_at=closed_at))


def test_only_conversations_idle_past_retention_are_deleted(settings, tracker_writer):
    now = time.time()
    old = now - (settings.conversations.retention_days + 1) * DAY
    tracker_writer.save("old", user_event("hello", "greet", at=old), user_event("i feel low", "mood_low", at=old + 60))
    tracker_writer.save("ongoing", user_event("hello", "greet", at=old), user_event("still here", "greet", at=now))
    tracker_writer.save("recent", user_event("hi", "greet", at=now))

    assert purge_expired_conversations(settings, now=now) == 1
    assert senders(settings) == {"ongoing", "recent"}
    assert purge_expired_conversations(settings, now=now) == 0
    [entry] = audit_entries(settings)
    assert entry.detail["conversation_ids"] == ["old"]
    assert entry.detail["events"] >= 2
    assert "hello" not in str(entry.detail) and "low" not in str(entry.detail)  # ids and counts only


def test_a_conversation_with_an_open_case_is_kept_until_the_case_is_closed(settings, tracker_writer):
    now = time.time()
    old = now - (settings.conversations.retention_days + 1) * DAY
    tracker_writer.save("flagged", user_event("i want to die", "safety_crisis", at=old))
    record_escalation("flagged", old, "crisis", ["active_ideation"], [], settings=settings)

    assert purge(settings, now=now) == {"conversations": 0, "events": 0, "cases": 0, "kept_open": 1}
    assert senders(settings) == {"flagged"}

    close_case(settings, "flagged", "resolved", datetime.now(timezone.utc))
    assert purge_expired_conversations(settings, now=now) == 1
    assert senders(settings) == set()
    assert [case["sender_id"] for case in list_cases(settings)] == ["flagged"]  # the case (no text) stays


def test_closed_cases_go_after_the_case_retention_period(settings):
    record_escalation("a", time.time(), "crisis", [], [], settings=settings)
    record_escalation("b", time.time(), "crisis", [], [], settings=settings)
    long_ago = datetime.now(timezone.utc) - timedelta(days=settings.conversations.case_retention_days + 1)
    close_case(settings, "a", "false_alarm", long_ago)

    result = purge(settings)
    assert result["cases"] == 1
    assert [case["sender_id"] for case in list_cases(settings)] == ["b"]  # open: stays whatever its age
    [entry] = audit_entries(settings)
    assert len(entry.detail["case_ids"]) == 1


def test_purge_before_rasa_ever_ran_does_nothing(settings):
    assert purge_expired_conversations(settings) == 0
    assert audit_entries(settings) == []
