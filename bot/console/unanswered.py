"""Staff access to unanswered messages (`unanswered_messages`): a list without text, one message with it.

Why two steps: the list is what staff need to see that someone wrote while the assistant was down
(when, why, whether it was flagged, which conversation); the words themselves are health data, so
they are shown only when a member opens one message, and that read is audited (like opening a case).
The CLI (`bot unanswered`) and the console (/console/unanswered) both go through here.
"""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.models import Case, Staff, UnansweredMessage
from bot.web.unanswered import record_dict

PAGE = 100


def listing(db: Session, *, flagged_only: bool = False, limit: int = PAGE, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Newest first, without text; and how many there are in all."""
    query = select(UnansweredMessage)
    if flagged_only:
        query = query.where(UnansweredMessage.kind != "none")
    total = db.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    rows = db.execute(query.order_by(UnansweredMessage.received_at.desc(), UnansweredMessage.id.desc())
                      .limit(limit).offset(offset)).scalars().all()
    return [_with_case(db, record_dict(row)) for row in rows], int(total)


def _with_case(db: Session, record: dict[str, Any]) -> dict[str, Any]:
    """The public id of the case of this message (same key: sender id and time received), if any."""
    case = db.execute(select(Case.public_id).where(
        Case.sender_id == record["sender_id"], Case.event_timestamp == record["received_at"])).scalar()
    return {**record, "case_id": case}


def read(db: Session, public_id: str, *, staff: Optional[Staff] = None, actor: Optional[str] = None,
         address: Optional[str] = None) -> Optional[dict[str, Any]]:
    """One message with its text, audited in the caller's transaction; None when there is none."""
    row = db.execute(select(UnansweredMessage).where(UnansweredMessage.public_id == public_id[:32])).scalar()
    if row is None:
        return None
    audit.record(db, "unanswered_viewed", staff=staff, actor=actor, target=row.public_id, address=address)
    return _with_case(db, record_dict(row, with_text=True))


def for_sender(db: Session, sender_id: str) -> list[dict[str, Any]]:
    """The messages of one conversation with their text, oldest first: for the case view, whose own
    read is audited by the caller (case_viewed)."""
    rows = db.execute(select(UnansweredMessage).where(UnansweredMessage.sender_id == sender_id)
                      .order_by(UnansweredMessage.received_at)).scalars().all()
    return [record_dict(row, with_text=True) for row in rows]
