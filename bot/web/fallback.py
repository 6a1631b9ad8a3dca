"""What the gateway does with a message Rasa did not (or may not) see: the safety net.

Why the gateway runs `safety.assess` itself: a person may write that they want to die exactly while
Rasa restarts. The same rules the Rasa pipeline uses decide whether the message is a risk message; if
it is, the person gets the crisis resources at once and a case is recorded for the clinic team, with
the same case key the reconciler uses (sender id, time of the message).

What each path assesses (issue 13: the web app's memory): a message Rasa did not answer (down, slow,
refused by the gateway) gets the full `safety.assess`, rules and learned model, which builds the MiniLM
session the model reads (~100 MB, once, kept after). A message Rasa answers needs none: it goes with the
rules' own flag (`flagged_by_rules`), and a reply without the resources card is checked against the
verdict Rasa's safety component stored with the message (`rasa_verdict`, the same rules and model), or,
when that cannot be read, against the full assessment here.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Optional

from bot import transcript
from bot.case_identity import case_kind, message_time, rule_ids_of
from bot.db import get_engine
from bot.settings import Settings
from bot.web.unanswered import Kept, UnansweredStore
from safety.abuse_audience import audience_for
from safety.assessment import Kind
from safety.situation import ABUSE, CRISIS, situation_for

logger = logging.getLogger(__name__)

KINDS = tuple(kind.value for kind in Kind)
# When the assessor itself fails the message is treated as flagged: a person reads it, not nobody.
ASSESSMENT_FAILED = "assessment_failed"


@dataclass(frozen=True)
class Verdict:
    """The parts of a `safety.Assessment` the gateway needs, as plain values."""

    kind: str = "none"
    escalate: bool = False
    categories: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    #: who is being hurt, for an abuse disclosure that says (safety.abuse_audience): orders the lines
    audience: Optional[str] = None

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
        # Assessment.rule_ids: sorted and unique, the order case_identity.rule_ids_of gives stored verdicts.
        return _with_audience(Verdict(kind, bool(assessment.escalate), list(assessment.categories), assessment.rule_ids), text)
    except Exception as error:  # noqa: BLE001 - the safety net must not fall through
        logger.error("safety assessment failed in the gateway: %s", type(error).__name__)
        return Verdict("crisis", True, [ASSESSMENT_FAILED], [])


def flagged_by_rules(text: str) -> bool:
    """Whether a rule flags the message (``safety.engine.Engine.flagged_by_rules``); builds no MiniLM session.
    A failure counts as flagged, as in assess_text."""
    try:
        from safety import get_engine

        return get_engine().flagged_by_rules(text)
    except Exception as error:  # noqa: BLE001 - the safety net must not fall through
        logger.error("safety rules failed in the gateway: %s", type(error).__name__)
        return True


def rasa_verdict(settings: Settings, sender_id: str, received_at: float) -> Optional[Verdict]:
    """The verdict Rasa's safety component stored with this message (rules and model, on the embedding
    Rasa's featurizer computed), read from the tracker store; None when the conversation's latest user
    message is not this one (stamped `received_at` by the gateway) or carries no safety data.

    Why: the gateway checks a reply that came without the resources card against a full assessment of
    the message (defence in depth). Rasa has made that assessment already, with the same rules and model;
    reading it keeps the web app from holding a MiniLM session (~100 MB) just to repeat it. Whoever calls
    this must fall back to assess_text when it returns None."""
    try:
        with get_engine(settings).connect() as connection:
            events = transcript.conversation(connection, sender_id, ("user",), limit=1)
    except Exception as error:  # noqa: BLE001 - the caller then assesses the message itself
        logger.warning("could not read Rasa's safety verdict: %s", type(error).__name__)
        return None
    if not events or message_time(events[0].data) != received_at:
        return None
    safety = events[0].safety
    kind, escalate = safety.get("kind"), safety.get("escalate")
    if kind not in KINDS or not isinstance(escalate, bool):
        return None
    categories = [c for c in safety.get("categories") or [] if isinstance(c, str)]
    return _with_audience(Verdict(kind, escalate, categories, rule_ids_of(safety)), events[0].data.get("text") or "")


def _with_audience(verdict: Verdict, text: str) -> Verdict:
    """The verdict with who is being hurt, when it is about abuse (the Rasa safety component's guess)."""
    if verdict.situation != ABUSE:
        return verdict
    return replace(verdict, audience=audience_for(text))


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
