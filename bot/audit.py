"""The audit log: who did what, when, from where. Append-only; never message text.

Why a module of its own: every console route, the CLI and the retention purge write here, and the
admin page reads here. Writing goes through `record` only; nothing in the app updates or deletes a
row, and database triggers (migration 0002) refuse it anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import AuditEntry, Staff

SYSTEM = "system"

# Every action the audit log knows, with the words the audit page shows for it.
ACTIONS = {
    "login": "signed in",
    "login_failed": "failed sign-in",
    "login_locked": "account locked after failed sign-ins",
    "logout": "signed out",
    "session_expired": "session ended (idle or too old)",
    "two_step_enabled": "set up two-step sign-in",
    "recovery_code_used": "signed in with a recovery code",
    "case_viewed": "opened a case (transcript view)",
    "case_exported": "printed or exported a case",
    "case_assigned": "assigned a case",
    "case_status": "changed a case's status",
    "note_added": "added a note",
    "conversation_searched": "searched conversations",
    "unanswered_listed": "listed unanswered messages (no text)",
    "unanswered_viewed": "read an unanswered message",
    "audit_viewed": "read the audit log",
    "staff_added": "added an account",
    "staff_disabled": "disabled an account",
    "staff_enabled": "enabled an account",
    "password_reset": "reset a password",
    "password_changed": "changed their password",
    "retention_purge": "retention purge removed data",
    "alert_failed": "an alert could not be delivered",
    "handoff_viewed": "opened a live conversation",
    "handoff_joined": "joined a conversation (the assistant paused)",
    "handoff_taken_over": "took over a conversation from another staff member",
    "handoff_message": "sent a message in a conversation (the text is in the transcript only)",
    "handoff_ended": "handed a conversation back to the assistant",
}


def record(
    session: Session,
    action: str,
    *,
    staff: Optional[Staff] = None,
    actor: Optional[str] = None,
    target: Optional[str] = None,
    address: Optional[str] = None,
    detail: Optional[dict[str, Any]] = None,
) -> None:
    """Add one entry in the caller's transaction (so the entry and the change commit together)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditEntry(
        staff_id=staff.id if staff else None,
        actor=(staff.email if staff else actor) or SYSTEM,
        action=action,
        target=target,
        address=address,
        detail=detail or {},
    ))


@dataclass(frozen=True)
class AuditFilter:
    actor: Optional[str] = None
    action: Optional[str] = None
    target: Optional[str] = None
    since: Optional[datetime] = None
    until: Optional[datetime] = None


def search(session: Session, where: AuditFilter, limit: int = 200, offset: int = 0) -> tuple[list[AuditEntry], int]:
    """Entries newest first matching the filter, and how many match in all."""
    query = select(AuditEntry)
    if where.actor:
        query = query.where(func.lower(AuditEntry.actor).contains(where.actor.lower()))
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.target:
        query = query.where(AuditEntry.target == where.target)
    if where.since:
        query = query.where(AuditEntry.at >= where.since)
    if where.until:
        query = query.where(AuditEntry.at < where.until)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    rows = session.execute(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    ).scalars().all()
    return list(rows), int(total)


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat() if entry.at else None,
        "actor": entry.actor,
        "action": entry.action,
        "what": ACTIONS.get(entry.action, entry.action),
        "target": entry.target,
        "address": entry.address,
        "detail": entry.detail or {},
    }
