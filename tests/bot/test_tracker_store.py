"""The windowed tracker store: a long session costs the same per message, and nothing changes for the
policies, the actions or the transcript."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, BotUttered, Restarted, SessionStarted, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import WindowedSQLTrackerStore

DOMAIN = Domain.from_dict({
    "intents": ["greet", "inform", "safety_crisis"],
    "slots": {
        "safety_mode": {"type": "bool", "initial_value": False, "influence_conversation": True,
                        "mappings": [{"type": "custom"}]},
        "step": {"type": "float", "influence_conversation": True, "mappings": [{"type": "custom"}]},
        "early": {"type": "text", "influence_conversation": False, "mappings": [{"type": "custom"}]},
    },
    "responses": {"utter_reply": [{"text": "ok"}]},
    "forms": {"exercise_form": {"required_slots": ["step"]}},
    "actions": [],
})
WINDOW = 3


def run(coroutine):
    return asyncio.run(coroutine)


def store(path: Path, window: int = WINDOW) -> WindowedSQLTrackerStore:
    return WindowedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path / "events.db"), window_turns=window)


def turn(intent: str, *after_user, at: float) -> list:
    return [
        UserUttered(intent, {"name": intent, "confidence": 1.0}, timestamp=at),
        *after_user,
        ActionExecuted("utter_reply", timestamp=at + 0.1),
        BotUttered("ok", timestamp=at + 0.2),
        ActionExecuted("action_listen", timestamp=at + 0.3),
    ]


def long_session(sender: str, turns: int, slots: bool = True) -> DialogueStateTracker:
    """A session where early turns set a slot, enter safety mode and start a form, then carry on
    (with slots=False, nothing but messages and replies)."""
    start = time.time() - 10_000
    events = [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start),
              ActionExecuted("action_listen", timestamp=start)]
    for index in range(turns):
        at = start + 10 * (index + 1)
        extra = []
        if not slots:
            pass
        elif index == 0:
            extra = [SlotSet("early", "set in turn 1", timestamp=at + 0.05)]
        elif index == 1:
            extra = [SlotSet("safety_mode", True, timestamp=at + 0.05)]
        elif index == 2:
            extra = [ActiveLoop("exercise_form", timestamp=at + 0.05), SlotSet("step", 1.0, timestamp=at + 0.06)]
        elif index == 3:
            extra = [SlotSet("step", 2.0, timestamp=at + 0.05)]
        events += turn("inform" if index else "greet", *extra, at=at)
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def test_a_long_session_loads_the_recent_turns_with_every_slot_and_the_form(tmp_path):
    windowed = store(tmp_path)
    full = long_session("long", turns=12)
    run(windowed.save(full))
    loaded = run(windowed.retrieve("long"))
    assert len([e for e in loaded.events if isinstance(e, UserUttered)]) == WINDOW
    assert loaded.current_slot_values() == full.current_slot_values()
    assert loaded.active_loop_name == "exercise_form"
    assert loaded.latest_message.intent == full.latest_message.intent
    # The policies see the same recent states (MemoizationPolicy: max_history 4; rules: a few turns).
    assert DOMAIN.states_for_tracker_history(loaded)[-4:] == DOMAIN.states_for_tracker_history(full)[-4:]


@pytest.mark.parametrize("slots", [True, False], ids=["with carried slots", "nothing carried"])
def test_new_events_are_stored_once_and_the_full_tracker_keeps_everything(tmp_path, slots):
    windowed = store(tmp_path)
    run(windowed.save(long_session("grow", turns=12, slots=slots)))
    for round_ in range(3):
        loaded = run(windowed.retrieve("grow"))
        for event in turn("inform", SlotSet("step", 10.0 + round_), at=time.time() + round_):
            loaded.update(event)
        run(windowed.save(loaded))
    everything = run(windowed.retrieve_full_tracker("grow"))
    users = [e for e in everything.events if isinstance(e, UserUttered)]
    assert len(users) == 12 + 3
    slot_events = [e for e in everything.events if isinstance(e, SlotSet)]
    assert [e.key for e in slot_events].count("early") == (1 if slots else 0)  # carried ones never written back
    assert everything.current_slot_values()["step"] == 12.0
    assert run(windowed.retrieve("grow")).current_slot_values() == everything.current_slot_values()


def test_a_short_session_and_a_window_of_zero_load_everything(tmp_path):
    run(store(tmp_path).save(long_session("short", turns=WINDOW)))
    assert len(run(store(tmp_path).retrieve("short")).events) == len(long_session("short", turns=WINDOW).events)
    run(store(tmp_path).save(long_session("off", turns=12)))
    assert len([e for e in run(store(tmp_path, window=0).retrieve("off")).events
                if isinstance(e, UserUttered)]) == 12


def test_slots_set_before_a_restart_are_not_carried(tmp_path):
    windowed = store(tmp_path)
    tracker = long_session("restarted", turns=5)
    tracker.update(Restarted(timestamp=time.time()))
    tracker.update(ActionExecuted("action_listen"))
    for index in range(6):
        for event in turn("inform", at=time.time() + index):
            tracker.update(event)
    run(windowed.save(tracker))
    loaded = run(windowed.retrieve("restarted"))
    assert loaded.get_slot("early") is None and loaded.get_slot("safety_mode") is False
    assert loaded.active_loop_name is None


@pytest.mark.parametrize("turns", [WINDOW + 1, 30])
def test_the_window_starts_on_a_whole_turn(tmp_path, turns):
    windowed = store(tmp_path)
    run(windowed.save(long_session("whole", turns=turns)))
    loaded = run(windowed.retrieve("whole"))
    first_real = next(e for e in loaded.events if not isinstance(e, (SlotSet, ActiveLoop)))
    assert isinstance(first_real, ActionExecuted) and first_real.action_name == "action_listen"


@pytest.mark.postgres
def test_the_window_indexes_exist_and_leave_rasas_own_store_working():
    """Rasa's own SQLTrackerStore, created after ours in the same process (the tests, the reconciler's
    tools), still creates its table: our indexes are not added to Rasa's shared table metadata."""
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from tests.postgres import temporary_database

    def on(url: str, kind=WindowedSQLTrackerStore, **extra):
        parsed = make_url(url)
        return kind(DOMAIN, dialect="postgresql", host=parsed.host, port=parsed.port, db=parsed.database,
                    username=parsed.username, **extra)

    with temporary_database() as ours, temporary_database() as theirs:
        for _ in range(2):
            windowed = on(ours, window_turns=WINDOW)
        names = {index["name"] for index in inspect(windowed.engine).get_indexes("events")}
        assert {"ix_events_sender_type_id", "ix_events_sender_id_id"} <= names
        plain = on(theirs, kind=SQLTrackerStore)
        run(plain.save(long_session("plain", turns=2)))
        assert run(plain.retrieve("plain")) is not None
        windowed.engine.dispose()
        plain.engine.dispose()


# --- SQLite connections kept open between messages, commits still synced ------------------------------------

def test_on_sqlite_connections_are_pooled_in_wal_with_every_commit_synced(tmp_path):
    import sqlalchemy.pool

    windowed = store(tmp_path)
    assert isinstance(windowed.engine.pool, sqlalchemy.pool.QueuePool)
    run(windowed.save(long_session("pooled", turns=2)))
    with windowed.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    for _ in range(5):  # the same connection serves message after message
        run(windowed.retrieve("pooled"))
    assert windowed.engine.pool.checkedin() == 1
    windowed.engine.dispose()


def test_a_saved_turn_is_on_disk_when_the_process_dies_right_after(tmp_path):
    """Nothing is lost with a pooled connection: a process that saves a tracker and is killed at once
    (no close, no dispose) leaves every event for the next process to read."""
    import subprocess
    import sys
    import textwrap

    database = tmp_path / "events.db"
    child = textwrap.dedent(f"""
        import asyncio, os, signal
        from tests.bot.test_tracker_store import store, long_session
        from pathlib import Path
        windowed = store(Path({str(tmp_path)!r}))
        asyncio.run(windowed.save(long_session("crash", turns=4)))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    finished = subprocess.run([sys.executable, "-c", child], cwd=Path(__file__).resolve().parents[2],
                              capture_output=True, timeout=120)
    assert finished.returncode == -9, finished.stderr.decode()[-2000:]
    assert database.exists()
    reopened = store(tmp_path, window=0)
    tracker = run(reopened.retrieve_full_tracker("crash"))
    assert tracker is not None
    assert len(tracker.events) == len(long_session("crash", turns=4).events)
    reopened.engine.dispose()


def test_an_in_memory_sqlite_database_keeps_rasas_engine():
    in_memory = WindowedSQLTrackerStore(DOMAIN, dialect="sqlite", db=":memory:", window_turns=WINDOW)
    assert in_memory.engine.pool.__class__.__name__ != "QueuePool"
