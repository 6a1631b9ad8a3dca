"""Messages the assistant never answered (Rasa down or slow, or the gateway refused them), in the database.

Why keep them: when Rasa is unreachable the message is not in the tracker store, so without this
record the clinic would not know that someone wrote, and a flagged message would have a case without
its words. Why the database (table `unanswered_messages`) and not a file: every replica writes to the
same place, and staff can read them in the console and with `bot unanswered` (each read audited).

Why a spool as well: the message must survive exactly the faults that make Rasa fail, the database
among them. A write goes to the database; when that fails, to an owner-only JSON Lines spool on this
replica's disk (`var/unanswered/messages.jsonl`, the file earlier versions kept for good); when the
disk is full too, to memory. `flush()` (every scheduler tick, at start and in `bot migrate`) moves
both into the database. Every write is keyed by (sender id, time received), and so is the case a
flagged message needs, so a message written twice (a crash between the insert and removing the
spool) is stored once and its case exists once.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import get_engine
from bot.escalations import record_escalation
from bot.models import OPEN_STATUSES, Case, UnansweredMessage
from bot.settings import Settings

logger = logging.getLogger(__name__)

SPOOL_NAME = Path("unanswered") / "messages.jsonl"


@dataclass
class Kept:
    """One unanswered message and what to do about it (a case, when `case_wanted`)."""

    sender_id: str
    received_at: float
    text: str
    reason: str
    kind: str = "none"
    categories: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    case_wanted: bool = False
    case_created: bool = False
    # The case's kind (bot.case_identity.case_kind: e.g. "abuse" for a crisis about abuse); else `kind`.
    case_kind: Optional[str] = None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> "Kept":
        """A spooled record; also reads the older file format (no rule_ids/case_wanted: its case, if
        any, was already made when it was written, or the reconciler cannot know it)."""
        return cls(
            sender_id=str(raw["sender_id"]), received_at=float(raw["received_at"]), text=str(raw["text"]),
            reason=str(raw.get("reason") or "unknown"), kind=str(raw.get("kind") or "none"),
            categories=list(raw.get("categories") or []), rule_ids=list(raw.get("rule_ids") or []),
            case_wanted=bool(raw.get("case_wanted", False)), case_created=bool(raw.get("case_created", False)),
            case_kind=raw.get("case_kind"),
        )


class UnansweredStore:
    """The database table first, this replica's spool file when the database fails, memory last."""

    def __init__(self, settings: Settings, spool: Optional[Path] = None) -> None:
        self.settings = settings
        self.spool = spool or settings.var_dir / SPOOL_NAME
        self._lock = threading.Lock()
        self._memory: list[Kept] = []

    # --- writing ---------------------------------------------------------------------------------

    def keep(self, record: Kept) -> str:
        """Store one message (and its case); returns where it went: "database", "spool" or "memory"."""
        try:
            self._persist(record)
            return "database"
        except Exception as error:  # noqa: BLE001 - any database failure: the spool keeps it
            logger.error("unanswered message not stored in the database (%s): spooled", type(error).__name__)
        try:
            with self._spool_lock():
                self._append(record)
            return "spool"
        except OSError as error:
            logger.error("unanswered message not spooled (%s): kept in memory until it can be",
                         type(error).__name__)
            with self._lock:
                self._memory.append(record)
            return "memory"

    def _persist(self, record: Kept) -> None:
        """Case first (idempotent), then the message (idempotent): either may have happened already."""
        if record.case_wanted and not record.case_created:
            record_escalation(record.sender_id, record.received_at, record.case_kind or record.kind,
                              record.categories, record.rule_ids, settings=self.settings, source="gateway")
            record.case_created = True
        row = UnansweredMessage(
            sender_id=record.sender_id, received_at=record.received_at, reason=record.reason[:64],
            kind=record.kind, categories=list(record.categories), case_created=record.case_created,
            text=record.text,
        )
        engine = get_engine(self.settings)
        try:
            with Session(engine, future=True) as session, session.begin():
                exists = session.execute(select(UnansweredMessage.id).where(
                    UnansweredMessage.sender_id == record.sender_id,
                    UnansweredMessage.received_at == record.received_at)).first()
                if not exists:
                    session.add(row)
        except IntegrityError:
            pass  # another replica or an earlier flush stored it

    @contextmanager
    def _spool_lock(self) -> Iterator[None]:
        """This process's threads and other processes (the CLI, `bot migrate`) take turns on the spool:
        a flush must not remove a line another process appended after the flush read the file."""
        with self._lock:
            self.spool.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.spool.with_name(self.spool.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                yield
            finally:
                os.close(descriptor)

    def _append(self, record: Kept) -> None:
        line = json.dumps(asdict(record)) + "\n"  # ASCII: any string can be written
        self.spool.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.spool, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def pending(self) -> int:
        """How many messages wait outside the database (spool and memory)."""
        with self._lock:
            return len(self._memory) + len(self._spooled()[0])  # a reader needs no file lock

    def _spooled(self) -> tuple[list[Kept], list[str]]:
        """The spool's records, and its lines that cannot be read (kept for a person to look at)."""
        try:
            lines = self.spool.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return [], []
        records, unreadable = [], []
        for line in lines:
            if not line.strip():
                continue
            try:
                records.append(Kept.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                unreadable.append(line)
        if unreadable:
            logger.error("%d unreadable line(s) in %s: left there", len(unreadable), self.spool)
        return records, unreadable

    def flush(self) -> int:
        """Move spooled and in-memory messages into the database; returns how many were moved. The spool
        file is removed only once every line of it is stored (a partial run is repeated, harmlessly)."""
        moved = 0
        with self._lock:
            waiting, self._memory = self._memory, []
        for index, record in enumerate(waiting):
            try:
                self._persist(record)
                moved += 1
            except Exception as error:  # noqa: BLE001 - still down: keep the rest for next time
                logger.error("unanswered messages still not stored (%s)", type(error).__name__)
                with self._lock:
                    self._memory = waiting[index:] + self._memory
                return moved
        if not self.spool.exists():
            return self._moved(moved)
        with self._spool_lock():
            spooled, unreadable = self._spooled()
            for record in spooled:
                try:
                    self._persist(record)
                except Exception as error:  # noqa: BLE001
                    logger.error("spooled unanswered messages still not stored (%s)", type(error).__name__)
                    return moved
            if unreadable:
                self._rewrite(unreadable)
            else:
                self.spool.unlink(missing_ok=True)
            moved += len(spooled)
        return self._moved(moved)

    def _rewrite(self, lines: list[str]) -> None:
        temporary = self.spool.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in lines)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.spool)

    @staticmethod
    def _moved(moved: int) -> int:
        if moved:
            logger.info("stored %d unanswered message(s) that waited outside the database", moved)
        return moved

    # --- reading and retention -----------------------------------------------------------------

    def read(self, sender_id: Optional[str] = None) -> list[dict[str, Any]]:
        """Every stored record (with its text), oldest first: for tests and the case view."""
        query = select(UnansweredMessage).order_by(UnansweredMessage.received_at, UnansweredMessage.id)
        if sender_id is not None:
            query = query.where(UnansweredMessage.sender_id == sender_id)
        with Session(get_engine(self.settings), future=True) as session:
            return [record_dict(row, with_text=True) for row in session.execute(query).scalars()]

    def prune(self, retention_days: int, now: Optional[float] = None) -> int:
        """Delete messages older than the retention period, except those of a conversation with an open
        case (staff must read what was said until the case is closed); returns how many."""
        cutoff = (now if now is not None else time.time()) - retention_days * 86400
        with Session(get_engine(self.settings), future=True) as session, session.begin():
            open_senders = select(Case.sender_id).where(Case.status.in_(OPEN_STATUSES))
            result = session.execute(delete(UnansweredMessage).where(
                UnansweredMessage.received_at < cutoff, UnansweredMessage.sender_id.not_in(open_senders),
            ).execution_options(synchronize_session=False))
            return int(result.rowcount or 0)


def record_dict(row: UnansweredMessage, with_text: bool = False) -> dict[str, Any]:
    """A stored message as JSON-ready values; the text only when asked for (an audited read)."""
    out: dict[str, Any] = {
        "id": row.public_id,
        "sender_id": row.sender_id,
        "received_at": row.received_at,
        "reason": row.reason,
        "kind": row.kind,
        "categories": list(row.categories or []),
        "case_created": bool(row.case_created),
    }
    if with_text:
        out["text"] = row.text
    return out
