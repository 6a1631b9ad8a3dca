"""Messages the assistant never answered (Rasa down or slow, or the gateway refused them), kept on disk.

Why keep them: when Rasa is unreachable the message is not in the tracker store, so without this file
the clinic would have no record that someone wrote, and a flagged message would have a case without
its words. Why a JSON Lines file: it needs no schema migration, survives restarts, and is pruned to
the same retention period as the conversations. The file is readable by the owner only.
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Optional


class UnansweredStore:
    """Append-only JSON Lines file of unanswered messages, pruned by age."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(
        self,
        *,
        sender_id: str,
        received_at: float,
        text: str,
        reason: str,
        kind: str,
        categories: list[str],
        case_created: bool,
    ) -> None:
        record = {
            "received_at": received_at,
            "sender_id": sender_id,
            "reason": reason,
            "kind": kind,
            "categories": categories,
            "case_created": case_created,
            "text": text,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())

    def read(self, sender_id: Optional[str] = None) -> list[dict[str, Any]]:
        """Every kept record (for staff tools and tests), oldest first."""
        with self._lock:
            if not self.path.exists():
                return []
            lines = self.path.read_text(encoding="utf-8").splitlines()
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if sender_id is None or record.get("sender_id") == sender_id:
                records.append(record)
        return records

    def prune(self, retention_days: int, now: Optional[float] = None) -> int:
        """Drop records older than the retention period; returns how many were dropped."""
        cutoff = (now if now is not None else time.time()) - retention_days * 86400
        with self._lock:
            if not self.path.exists():
                return 0
            lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = []
            for line in lines:
                try:
                    if float(json.loads(line).get("received_at", 0)) >= cutoff:
                        kept.append(line)
                except (ValueError, TypeError, AttributeError):
                    continue
            dropped = len(lines) - len(kept)
            if dropped:
                tmp = self.path.with_suffix(".tmp")
                descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    handle.writelines(kept)
                    handle.flush()
                    os.fsync(handle.fileno())
                tmp.replace(self.path)
            return dropped
