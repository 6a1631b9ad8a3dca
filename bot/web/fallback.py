"""What the gateway does with a message Rasa did not (or may not) see: the safety net.

Why the gateway runs `safety.assess` itself: a person may write that they want to die exactly while
Rasa restarts. The same rules the Rasa pipeline uses decide whether the message is a risk message; if
it is, the person gets the crisis resources at once and a case is recorded for the clinic team, with
the same case key the reconciler uses (sender id, time of the message).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Optional

from bot.case_identity import case_kind
from bot.settings import Settings
from bot.web.unanswered import Kept, UnansweredStore
from safety.situation import CRISIS, situation_for

logger = logging.getLogger(__name__)

# When the assessor itself fails the message is treated as flagged: a person reads it, not nobody.
ASSESSMENT_FAILED = "assessment_failed"


@dataclass(frozen=True)
class Verdict:
    """The parts of a `safety.Assessment` the gateway needs, as plain values."""

    kind: str = "none"
    escalate: bool = False
    categories: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """Any risk at all (check-in included): nobody can ask the follow-up question, so a human should."""
        return self.kind != "none"

    @property
    def resource_kind(self) -> str:
        return "emergency" if self.kind == "emergency" else "crisis"

    @property
    def situation(self) -> str:
        """Whose lines to show: "abuse" for a disclosure of abuse (the same decision the Rasa safety
        component makes, safety.situation), else "crisis"."""
        if not self.escalate:
            return CRISIS
        return situation_for(self.categories)


def assess_text(text: str) -> Verdict:
    """`safety.assess`, reduced to a Verdict; a failure counts as a crisis (never as "no risk")."""
    try:
        from safety import assess

        assessment = assess(text)
        kind = getattr(assessment.kind, "value", str(assessment.kind))
        rule_ids = sorted({span.rule_id for span in assessment.spans})
        return Verdict(kind, bool(assessment.escalate), list(assessment.categories), rule_ids)
    except Exception as error:  # noqa: BLE001 - the safety net must not fall through
        logger.error("safety assessment failed in the gateway: %s", type(error).__name__)
        return Verdict("crisis", True, [ASSESSMENT_FAILED], [])


def keep_unanswered(
    settings: Settings,
    store: UnansweredStore,
    *,
    sender_id: str,
    text: str,
    reason: str,
    verdict: Verdict,
    record_case: bool = True,
    received_at: Optional[float] = None,
) -> str:
    """Keep the message and, when it makes a case, the case (both idempotent, both retried by the store's
    flush when the database is down); returns where the message went ("database", "spool", "memory").

    `received_at`: when the gateway received the message; for a message it also sent to Rasa, the
    stamp it sent along, so the reconciler's case for it (if Rasa processed it after all) is this one."""
    kind = case_kind(None, {"kind": verdict.kind, "escalate": verdict.escalate, "categories": verdict.categories})
    record = Kept(
        sender_id=sender_id, received_at=time.time() if received_at is None else received_at, text=text,
        reason=reason, kind=verdict.kind, categories=list(verdict.categories), rule_ids=list(verdict.rule_ids),
        case_wanted=kind is not None and record_case, case_kind=kind,
    )
    where = store.keep(record)
    logger.info("unanswered message kept: reason=%s kind=%s case_wanted=%s stored_in=%s",
                reason, verdict.kind, record.case_wanted, where)
    return where
