"""Rasa's SQL tracker store, loading only the recent turns of a long conversation session.

Why: Rasa rebuilds the whole tracker of the current session on every message (every event read from
the database, parsed and replayed; the past dialogue states rebuilt from every event by each policy,
several times a turn; the whole event list sent to the action server with each action call). Sessions
only bound that by idle time (`session_expiration_time`), so an hour-long supportive chat, which is
what this assistant is for, paid for its full length on every message: 59 ms at message 10 and
741 ms at message 600 (issue 11).

What the policies need is far less: MemoizationPolicy looks at `max_history` turns and our rules at a
few; the slots and the active form carry everything older (the exercise and its step, safety mode,
the footer). So `retrieve` loads, for a session longer than `window_turns` user messages:
  - the latest value of each slot, and the latest form activation, set before the window, and
  - every event from the `action_listen` that precedes the window's first user message,
which is the state a tracker of the whole session would have, minus turns no policy looks at. The
window moves with the conversation, so each message costs about the same however long the chat.

Nothing is lost or rewritten: `save` appends only the new events after those it loaded (the carried
slot events are marked, and never stored again); `retrieve_full_tracker`, the transcript, the
reconciler and the staff console still read every event. Configured in endpoints.yml (`bot build`
writes it) as `type: bot.tracker_store.WindowedSQLTrackerStore` with `window_turns`; 0 turns the
window off. It reads Rasa's own `events` table, so switching it on or off needs no migration.

The queries of every message (issue 13: loading and saving the tracker was about a third of the Rasa
server's time) are SQLAlchemy Core statements built once, not ORM queries built, keyed and compiled
each time: the same SQL conditions as Rasa's `_event_query`, the same columns written as Rasa's
`save`. And a tracker this store loaded remembers how many of its events are stored, so `save`
writes the events after those without first counting the stored ones in the database (Rasa's count
gives the same number while the conversation's lock is held, as every turn holds it); a tracker it
did not load (a new conversation, `retrieve_full_tracker`'s) is counted as Rasa counts.
"""
from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Iterator, Optional, Text

import sqlalchemy as sa
import sqlalchemy.orm
import sqlalchemy.pool

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# Marks the slot and form events carried in front of the window (never written back to the store), and
# the window's first event (stored already). The value is that event's database id, from which `save`
# counts what is stored.
WINDOW_MARK = "tracker_window_carried"
WINDOW_START = "tracker_window_start"
# Events after which earlier slot values no longer apply (Rasa's `restart`, `session_started`, `reset_slots`).
SLOT_RESET_TYPES = ("restart", "session_started", "reset_slots")
DEFAULT_WINDOW_TURNS = 10
# The type conditions of the partial indexes below, written into the SQL as constants: SQLite uses a partial
# index only when the query's own condition is the same constant (a bound parameter does not count).
PARTIAL_INDEX_TYPES = {name: sa.literal_column(f"'{name}'") for name in ("slot", "active_loop")}
# Connections kept open to a SQLite file (one is busy at a time: Rasa's store runs on its event loop).
SQLITE_POOL_SIZE = 2
# Attribute set on a tracker this store loaded or saved: how many of its first events are stored (or carried).
STORED_EVENTS = "_bot_stored_events"
# Index name -> its columns of Rasa's `events` table (and the rows it holds, for a partial index).
WINDOW_INDEXES = {
    "ix_events_sender_type_id": "(sender_id, type_name, id)",
    "ix_events_sender_id_id": "(sender_id, id)",
    # Partial indexes for the state carried in front of the window (see _carried_ids). A SlotSet row keeps
    # the slot's name in `action_name`.
    # (type_name again in the columns: three equalities make SQLite, which has no statistics either, prefer it
    # to ix_events_sender_type_id.)
    "ix_events_slot_sender_name_id": "(sender_id, action_name, type_name, id) WHERE type_name = 'slot'",
    "ix_events_loop_sender_id": "(sender_id, id) WHERE type_name = 'active_loop'",
}


def durable_wal(dbapi_connection: Any, _record: Any = None) -> None:
    """Write-ahead log (readers such as the reconciler do not block Rasa's writes) and every commit synced
    to disk before it returns (`synchronous=FULL`; the default of SQLite builds, set here so that no
    build or earlier setting weakens it)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _row(sender_id: Text, event: Any) -> dict[str, Any]:
    """The `events` row Rasa's `SQLTrackerStore.save` writes for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _marked(event: dict[str, Any], key: str, start: int) -> dict[str, Any]:
    return {**event, "metadata": {**(event.get("metadata") or {}), key: start}}


class WindowedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose `retrieve` loads the last `window_turns` user turns of the session plus the
    state carried from before them (see the module's docstring)."""

    def __init__(self, *args: Any, window_turns: int = DEFAULT_WINDOW_TURNS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool_sqlite_connections()
        self.window_turns = int(window_turns or 0)
        if self.window_turns > 0:
            self._create_window_indexes()
        self._build_statements()

    def _build_statements(self) -> None:
        """The statements of every message, built once (SQLAlchemy then reuses their compiled SQL)."""
        from rasa.shared.core.events import SessionStarted

        table = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        # As Rasa's `_event_query(..., fetch_events_from_all_sessions=False)`: the events from the latest
        # session start on (by timestamp), or all of them when the conversation has none.
        session_start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        in_session = sa.and_(table.c.sender_id == sender,
                             sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))
        self._session_data = sa.select(table.c.data).where(in_session).order_by(table.c.id)
        self._recent_user_ids = (
            sa.select(table.c.id).where(in_session, table.c.type_name == "user")
            .order_by(table.c.id.desc()).limit(max(self.window_turns, 0) + 1)
        )
        self._insert = table.insert()
        # The window's statements (see _windowed_events), with the same session condition as above.
        self._window_start = (  # the listen before the window's first user message
            sa.select(table.c.id)
            .where(in_session, table.c.type_name == "action", table.c.action_name == "action_listen",
                   table.c.id < sa.bindparam("first_user"))
            .order_by(table.c.id.desc()).limit(1)
        )
        self._slot_floor = sa.select(sa.func.max(table.c.id)).where(
            in_session, table.c.type_name.in_(SLOT_RESET_TYPES), table.c.id < sa.bindparam("start"))
        self._carried_bounds = (in_session, table.c.id > sa.bindparam("floor"), table.c.id < sa.bindparam("start"))
        self._latest_loop = (sa.select(table.c.id).where(table.c.type_name == PARTIAL_INDEX_TYPES["active_loop"],
                                                         *self._carried_bounds)
                             .order_by(table.c.id.desc()).limit(1))
        self._data_by_ids = (sa.select(table.c.data).where(table.c.id.in_(sa.bindparam("ids", expanding=True)))
                             .order_by(table.c.id))
        self._window_data = sa.select(table.c.data).where(in_session, table.c.id >= sa.bindparam("start")) \
            .order_by(table.c.id)
        self._carried: Optional[tuple[tuple[str, ...], Any]] = None

    def _carried_ids(self, session: Any, sender_id: Text, floor: int, start: int) -> tuple[list[int], Optional[int]]:
        """(the latest SlotSet id of each slot, the latest ActiveLoop id) in the session between `floor`
        and `start`: the state carried in front of the window.

        Why one probe per slot, each on a small partial index: grouping every slot event before the window
        by name read them all, a number that grows with the session (1,980 rows, 6-7 ms on PostgreSQL at
        message 1,000 of a test conversation, where a fresh table without statistics also made the planner
        re-run the session-start subquery for each row). A probe of `ix_events_slot_sender_name_id` reads one
        entry whatever the length; being the smallest index that fits, the planner takes it even without
        statistics (autovacuum off, or a fresh database), where it costs all full indexes alike. The names
        are the domain's slots: an event for a slot the domain does not declare changes no tracker state, so
        it is not carried."""
        names = tuple(slot.name for slot in self.domain.slots)
        if self._carried is None or self._carried[0] != names:
            table = self.SQLEvent.__table__

            # One correlated probe, run once per name (planned once: a union of one probe per name took
            # ~2 ms to plan on PostgreSQL for the domain's 24 slots, more than it saved below message ~150).
            names_table = sa.union_all(*(sa.select(sa.literal(name, sa.String).label("name")) for name in names)) \
                .subquery("slot_names") if names else None
            if names_table is not None:
                probe = (sa.select(table.c.id)
                         .where(table.c.type_name == PARTIAL_INDEX_TYPES["slot"], table.c.action_name == names_table.c.name,
                                *self._carried_bounds)
                         .order_by(table.c.id.desc()).limit(1).correlate(names_table).scalar_subquery())
                self._carried = (names, sa.select(probe).select_from(names_table))
            else:
                self._carried = (names, None)
        values = {"sender_id": sender_id, "floor": floor, "start": start}
        slot_ids = [row[0] for row in session.execute(self._carried[1], values) if row[0] is not None] \
            if self._carried[1] is not None else []
        return slot_ids, session.execute(self._latest_loop, values).scalar()

    def _pool_sqlite_connections(self) -> None:
        """On a SQLite file, replace Rasa's engine (no pool) by one that keeps connections open (see the
        module's docstring); any other database keeps Rasa's engine."""
        url = self.engine.url
        if self.engine.dialect.name != "sqlite" or url.database in (None, "", ":memory:"):
            return
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=SQLITE_POOL_SIZE,
            # Rasa may call the store from another thread than the one that opened a connection; the
            # pool lends each connection to one caller at a time.
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", durable_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _create_window_indexes(self) -> None:
        """Indexes that let the window's queries read only the rows they return, however long the
        conversation (Rasa's own table has an index on sender_id alone). Created here, beside Rasa's
        own create_all of the table, rather than by a migration: the table is Rasa's, and exists only
        once Rasa has started. Several replicas starting together may race: the loser's error is harmless."""
        import sqlalchemy.exc

        # Plain DDL, not sa.Index objects: those would join Rasa's shared table metadata, and every later
        # create_all in this process (any SQLTrackerStore) would try to create them again.
        for name, columns in WINDOW_INDEXES.items():
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events {columns}"))
            except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError,
                    sqlalchemy.exc.IntegrityError) as error:
                logger.debug(f"index {name} not created here (another process may have): {error}")

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            events = self._windowed_events(session, sender_id) if self.window_turns > 0 else None
            if events is None:  # the session is short (or no window): all of it, as Rasa loads it
                rows = session.execute(self._session_data, {"sender_id": sender_id})
                events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):  # as Rasa's `_retrieve`
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save`: stream the new events (when an event broker is configured), then store them
        (the same columns as Rasa writes), in one transaction."""
        await self.stream_events(tracker)
        stored = getattr(tracker, STORED_EVENTS, None)
        with self.session_scope() as session:
            # (A tracker capped by max_event_history drops its oldest events: positions no longer count.)
            if stored is not None and stored <= len(tracker.events) and getattr(tracker.events, "maxlen", None) is None:
                events: Iterator = itertools.islice(tracker.events, stored, len(tracker.events))
            else:
                events = self._additional_events(session, tracker)
            rows = [_row(tracker.sender_id, event) for event in events]
            if rows:
                session.execute(self._insert, rows)
            session.commit()
        if stored is not None:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")

    def _windowed_events(self, session: Any, sender_id: Text) -> Optional[list[dict[str, Any]]]:
        """Carried slot/form events + the window's events, or None when the session fits the window."""
        # The last window_turns + 1 user messages: with no more than window_turns, the whole session fits.
        recent_users = [row[0] for row in session.execute(self._recent_user_ids, {"sender_id": sender_id})]
        if len(recent_users) <= self.window_turns:
            return None
        first_user = recent_users[self.window_turns - 1]  # the window's first user message
        # the listen before it, so the window starts on a whole turn as a session does
        start = session.execute(self._window_start, {"sender_id": sender_id, "first_user": first_user}).scalar()
        if start is None:
            return None
        floor = session.execute(self._slot_floor, {"sender_id": sender_id, "start": start}).scalar() or 0
        carried_ids, loop_id = self._carried_ids(session, sender_id, floor, start)
        if loop_id is not None:
            carried_ids.append(loop_id)
        carried_rows = session.execute(self._data_by_ids, {"ids": carried_ids}).all() if carried_ids else []
        window_rows = session.execute(self._window_data, {"sender_id": sender_id, "start": start}).all()
        carried = [_marked(json.loads(data), WINDOW_MARK, start) for (data,) in carried_rows]
        window = [json.loads(data) for (data,) in window_rows]
        window[0] = _marked(window[0], WINDOW_START, start)
        return carried + window

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet: for a windowed tracker, those after the carried events and the
        window's stored events (Rasa's own count would include the carried ones)."""
        carried = 0
        window_start: Optional[int] = None
        for event in tracker.events:
            metadata = event.metadata or {}
            if WINDOW_MARK in metadata:
                carried += 1
                continue
            window_start = metadata.get(WINDOW_START)
            break
        if window_start is None:
            return super()._additional_events(session, tracker)
        stored = (
            session.query(sa.func.count(self.SQLEvent.id))
            .filter(self.SQLEvent.sender_id == tracker.sender_id, self.SQLEvent.id >= window_start)
            .scalar()
        )
        return itertools.islice(tracker.events, carried + stored, len(tracker.events))
