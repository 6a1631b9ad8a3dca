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


# --- the same rows and trackers as Rasa's own SQLTrackerStore (issue 13: Core statements, no count) -------

def _conversation_turns(sender: str) -> list[list]:
    """A conversation as the Rasa server saves it: a new tracker, then a turn at a time, with a slot, a form,
    a second session and a restart (each list: the events one turn adds before it is saved)."""
    at = time.time() - 5_000
    first = [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at),
             ActionExecuted("action_listen", timestamp=at)]
    turns = [first]
    for index in range(14):
        at += 10
        extra = []
        if index == 2:
            extra = [SlotSet("safety_mode", True, timestamp=at + 0.05)]
        elif index == 4:
            extra = [ActiveLoop("exercise_form", timestamp=at + 0.05), SlotSet("step", 1.0, timestamp=at + 0.06)]
        elif index == 7:  # a new session, as Rasa starts one after the idle time
            extra = [ActionExecuted("action_session_start", timestamp=at + 0.05), SessionStarted(timestamp=at + 0.06),
                     SlotSet("safety_mode", True, timestamp=at + 0.07),
                     ActionExecuted("action_listen", timestamp=at + 0.08)]
        elif index == 11:
            extra = [Restarted(timestamp=at + 0.05)]
        turns.append(turn("inform" if index else "greet", *extra, at=at))
    return turns


def _rows(engine, sender: str) -> list[tuple]:
    import sqlalchemy as sa

    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
            "WHERE sender_id = :sender ORDER BY id"), {"sender": sender})]


@pytest.mark.parametrize("window", [WINDOW, 0], ids=["windowed", "no window"])
def test_turn_by_turn_the_store_writes_the_rows_and_loads_the_trackers_rasa_does(tmp_path, window):
    """Each turn: load the conversation, add the turn, save; Rasa's own store does the same on its own file.
    Same rows, column for column, and the same tracker loaded for every short session. Ours saves each
    turn twice: the second save stores nothing (Rasa's count would store the session's earlier events again
    after a new session started in the turn, which the server never does: it saves once per turn)."""
    from rasa.core.tracker_store import SQLTrackerStore

    (tmp_path / "ours").mkdir()
    ours = store(tmp_path / "ours", window=window)
    rasas = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    for sender in ("someone", "someone else"):
        for added in _conversation_turns(sender):
            for kind in (ours, rasas):
                tracker = run(kind.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
                for event in added:
                    tracker.update(event)
                run(kind.save(tracker))
                if kind is ours:
                    run(kind.save(tracker))
            assert _rows(ours.engine, sender) == _rows(rasas.engine, sender)
            loaded = run(ours.retrieve(sender))
            users = [e for e in loaded.events if isinstance(e, UserUttered)]
            if window == 0 or len(users) < window:
                assert loaded.events == run(rasas.retrieve(sender)).events
                assert loaded.current_slot_values() == run(rasas.retrieve(sender)).current_slot_values()
    assert len(_rows(ours.engine, "someone")) > 60
    assert run(ours.retrieve("nobody")) is None and run(rasas.retrieve("nobody")) is None
    ours.engine.dispose()
    rasas.engine.dispose()


def test_a_tracker_the_store_did_not_load_is_counted_as_rasa_counts(tmp_path):
    """A tracker built elsewhere (a new conversation, or Rasa's full tracker of every session) gets only
    its events after those stored, as Rasa decides by counting the session's stored events."""
    windowed = store(tmp_path)
    tracker = long_session("built", turns=2)
    run(windowed.save(tracker))
    rebuilt = DialogueStateTracker.from_events("built", list(tracker.events), DOMAIN.slots)
    for event in turn("inform", at=time.time()):
        rebuilt.update(event)
    run(windowed.save(rebuilt))
    assert [e for e in run(windowed.retrieve_full_tracker("built")).events] == list(rebuilt.events)
    windowed.engine.dispose()


def test_a_loaded_tracker_is_saved_without_counting_the_stored_events(tmp_path):
    import sqlalchemy as sa

    windowed = store(tmp_path)
    run(windowed.save(long_session("counted", turns=2)))
    statements: list[str] = []
    sa.event.listen(windowed.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(statement))
    loaded = run(windowed.retrieve("counted"))
    for event in turn("inform", at=time.time()):
        loaded.update(event)
    run(windowed.save(loaded))
    assert statements and not [s for s in statements if "count(" in s.lower()]
    assert len(run(windowed.retrieve("counted")).events) == len(loaded.events)
    windowed.engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_turns_events_keep_their_order():
    """The new events of a turn go in one statement; their ids (Rasa orders by id) follow the events."""
    from sqlalchemy.engine import make_url

    from tests.postgres import temporary_database

    with temporary_database() as url:
        parsed = make_url(url)
        windowed = WindowedSQLTrackerStore(DOMAIN, dialect="postgresql", host=parsed.host, port=parsed.port,
                                           db=parsed.database, username=parsed.username, window_turns=0)
        run(windowed.save(long_session("ordered", turns=1)))
        loaded = run(windowed.retrieve("ordered"))
        many = [BotUttered(f"line {index}", timestamp=time.time()) for index in range(300)]
        for event in many:
            loaded.update(event)
        run(windowed.save(loaded))
        again = run(windowed.retrieve("ordered"))
        assert [e.text for e in again.events if isinstance(e, BotUttered)][-300:] == [f"line {i}" for i in range(300)]
        windowed.engine.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_long_session_reads_no_more_rows_per_message_than_a_short_one():
    """A reply at message 400 costs the database what one at message 30 does (issue 11's curve), even on a
    table without statistics (autovacuum off, a fresh database), where the planner once read every slot
    event before the window. Counted as the buffers PostgreSQL touches for every query of one retrieve."""
    import re

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from tests.postgres import temporary_database

    def buffers_of_one_retrieve(store: WindowedSQLTrackerStore, sender: str) -> int:
        statements = []

        def keep(_connection, cursor, statement, parameters, _context, executemany):
            if not executemany and statement.lstrip().upper().startswith("SELECT"):
                statements.append(cursor.mogrify(statement, parameters).decode())

        sa.event.listen(store.engine, "before_cursor_execute", keep)
        try:
            run(store.retrieve(sender))
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", keep)
        total = 0
        with store.engine.connect() as connection:
            for statement in statements:
                plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement))
                found = re.search(r"shared hit=(\d+)", plan)  # the first: the whole statement's
                total += int(found.group(1)) if found else 0
        return total

    with temporary_database() as url:
        parsed = make_url(url)
        windowed = WindowedSQLTrackerStore(DOMAIN, dialect="postgresql", host=parsed.host, port=parsed.port,
                                           db=parsed.database, username=parsed.username, window_turns=WINDOW)
        def session(sender: str, turns: int) -> DialogueStateTracker:
            """"step" set on every turn (as our actions set slots), "early" only in the first."""
            start = time.time() - 10_000
            events = [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start),
                      ActionExecuted("action_listen", timestamp=start),
                      *turn("greet", SlotSet("early", "first turn", timestamp=start + 1), at=start + 0.5)]
            for index in range(1, turns):
                at = start + 10 * index
                events += turn("inform", SlotSet("step", float(index), timestamp=at + 0.05), at=at)
            return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)

        for other in range(300):  # a table the size of a busy day, where PostgreSQL reads by index, not whole
            run(windowed.save(session(f"other {other}", 10)))
        run(windowed.save(session("short", 30)))
        run(windowed.save(session("long", 400)))
        loaded = run(windowed.retrieve("long"))
        assert loaded.get_slot("early") == "first turn" and loaded.get_slot("step") == 399.0
        assert buffers_of_one_retrieve(windowed, "long") <= 2 * buffers_of_one_retrieve(windowed, "short") + 20
        windowed.engine.dispose()
