"""The transcript of record: one reader of Rasa's `events` table for every part of the app."""
from __future__ import annotations

import time

from bot import transcript
from bot.db import get_engine
from tests.bot.conftest import bot_text, user_event

SAFETY = {"kind": "crisis", "escalate": True, "categories": ["active_ideation"],
          "spans": [{"start": 7, "end": 21, "category": "active_ideation", "rule_id": "r"}], "source": "rules",
          "a_key_added_later": 1}


def test_conversation_events_since_and_search(settings, tracker_writer):
    start = time.time() - 100
    tracker_writer.save("alpha-1234", user_event("hello", "greet", at=start), bot_text("Hi."),
                        user_event("i want to kill myself", "safety_crisis", SAFETY, at=start + 10))
    tracker_writer.save("beta-5678", user_event("hi", "greet", at=start + 20))
    with get_engine(settings).connect() as connection:
        events = transcript.conversation(connection, "alpha-1234")
        assert [e.type_name for e in events if e.type_name in ("user", "bot")] == ["user", "bot", "user"]
        assert events[-1].safety["categories"] == ["active_ideation"]  # the interface: more keys may appear
        assert [e.text for e in transcript.conversation(connection, "alpha-1234", ("user",), limit=1)] == [
            "i want to kill myself"]
        flagged = transcript.events_since(connection, 0, user_intents=["safety_crisis"])
        assert [(e.sender_id, e.intent_name) for e in flagged] == [("alpha-1234", "safety_crisis")]
        assert transcript.events_since(connection, transcript.last_event_id(connection)) == []
        assert transcript.search_senders(connection, "1234") == ["alpha-1234"]
        assert transcript.search_senders(connection, "%") == []  # LIKE wildcards are literal
        last = transcript.last_user_message_at(connection, ["alpha-1234", "beta-5678", "nobody"])
        assert set(last) == {"alpha-1234", "beta-5678"} and last["beta-5678"] > last["alpha-1234"]
        assert transcript.idle_senders(connection, start + 25) == ["beta-5678"]  # alpha's bot reply is recent


def test_before_rasa_ever_ran_every_read_is_empty(settings):
    with get_engine(settings).connect() as connection:
        assert not transcript.exists(connection)
        assert transcript.conversation(connection, "x") == []
        assert transcript.events_since(connection, 0) == []
        assert transcript.last_event_id(connection) == 0
        assert transcript.search_senders(connection, "abcd") == []
        assert transcript.last_user_message_at(connection, ["x"]) == {}


def test_no_other_module_declares_the_events_table():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for folder in ("bot", "actions") for p in (root / folder).rglob("*.py")
                 if 'table("events"' in p.read_text() or "table('events'" in p.read_text()]
    assert offenders == ["bot/transcript.py"]
