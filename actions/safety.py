"""Record an escalation case the moment the crisis resources are shown.

Why this is a custom action at the END of each safety rule: the replies a person at risk needs come
from the Rasa server alone (rules, responses, slot mappings), so they arrive even when this action
server is down. This action only adds the fast path for staff: it records the case at once through
bot.escalations.record_escalation. When that fails or is missing, the reconciler creates the same
case from the tracker store (same key: sender id + timestamp of the user message), so this action
logs an error (never message text) and carries on.

It also makes sure safety mode is on (slots safety_mode, safety_kind, safety_footer). The slot
mappings already do that for the risk intents; after a check-in answered "yes" (whose message
carries no risk assessment) the footer is only set here. And it notes that the full crisis (or
emergency) reply was given (slot crisis_reply_shown), so a later crisis message is not answered with
the same whole reply again; a mapping cannot, since it would fire on the first crisis message too.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.pending_question import PENDING_QUESTION_SLOT, interrupted_question
from actions.session import introduction_said
from actions.tracker_helpers import latest_user_event
from bot.case_identity import case_kind, confirmed_check_in_categories, message_time, rule_ids_of

logger = logging.getLogger(__name__)

SAFETY_KIND_BY_INTENT = {"safety_crisis": "crisis", "safety_emergency": "emergency",
                         "safety_third_party": "third_party", "safety_abuse": "abuse"}
FOOTER_RESPONSE = "utter_safety_footer"
FOOTER_SLOTS = ("crisis_contact", "crisis_line")
CHECK_IN_REASON_SLOT = "check_in_reason"
# Which full reply about the person's own safety this session has had (domain.yml, slot crisis_reply_shown):
# the rules in data/rules/safety_again.yml answer a later crisis message briefly instead of repeating it.
CRISIS_REPLY_SLOT = "crisis_reply_shown"
# Actions of this turn that show it was such a reply: utter_crisis_stay ends the crisis reply (and a check-in
# "yes" or unclear answer); an emergency card means the emergency reply (or its follow-up) was given.
CRISIS_REPLY_MARKERS = ("utter_crisis_stay", "utter_crisis_again")
EMERGENCY_REPLY_MARKERS = ("utter_emergency_resources_card",)


def escalation_from(event: dict[str, Any], question: Optional[str] = None) -> dict[str, Any]:
    """kind, categories and rule_ids for the case of this user event.

    A message the safety component flagged carries its assessment (parse_data["safety"]: kind,
    escalate, categories, spans); the kind comes from the one table the reconciler and the gateway
    use too (bot.case_identity.case_kind). A "yes" to the check-in question carries none: that case
    is a crisis confirmed by the person (category check_in_confirmed), as the reconciler records it; an answer
    that is neither, after the question was asked twice, is check_in_unclear; a "yes"
    to the question about someone else (`question`, the action before the message) is about that person
    (check_in_other_confirmed, third_party_risk).
    """
    parse = event.get("parse_data") or {}
    safety = parse.get("safety") if isinstance(parse.get("safety"), dict) else {}
    intent = (parse.get("intent") or {}).get("name")
    kind = case_kind(intent, safety)
    if kind:
        return {
            "kind": str(kind),
            "categories": [str(c) for c in safety.get("categories") or []],
            "rule_ids": rule_ids_of(safety),
        }
    return {"kind": "crisis", "categories": confirmed_check_in_categories(question, intent), "rule_ids": []}


def last_question(tracker: Tracker) -> Optional[str]:
    """The last action before the latest user message (e.g. the check-in question it answered)."""
    seen_user = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def footer_text(domain: DomainDict, slots: dict[str, Any]) -> Optional[str]:
    """The footer sentence (utter_safety_footer with the crisis line's slots filled), as `bot build`
    makes it; None when a slot it names is empty."""
    try:
        template = str(domain["responses"][FOOTER_RESPONSE][0]["text"])
    except (KeyError, IndexError, TypeError):
        return None
    for name in FOOTER_SLOTS:
        if "{" + name + "}" in template:
            if not slots.get(name):
                return None
            template = template.replace("{" + name + "}", str(slots[name]))
    return template


def safety_mode_events(tracker: Tracker, domain: DomainDict, intent: Optional[str]) -> list[EventType]:
    """Turn safety mode on where the slot mappings have not already."""
    events: list[EventType] = []
    if tracker.get_slot("safety_mode") is not True:
        events.append(SlotSet("safety_mode", True))
    if not tracker.get_slot("safety_kind"):
        events.append(SlotSet("safety_kind", SAFETY_KIND_BY_INTENT.get(intent or "", "crisis")))
    # The slot mapping fills the footer in the clinic's locale; this conversation's may differ.
    footer = footer_text(domain, {name: tracker.get_slot(name) for name in FOOTER_SLOTS})
    if footer and tracker.get_slot("safety_footer") != footer:
        events.append(SlotSet("safety_footer", footer))
    return events


def actions_this_turn(tracker: Tracker) -> list[str]:
    """The names of the actions run since the latest user message (this turn's reply so far)."""
    names: list[str] = []
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            break
        if event.get("event") == "action" and event.get("name"):
            names.append(str(event["name"]))
    return names


def crisis_reply_events(tracker: Tracker) -> list[EventType]:
    """Remember that this turn gave the full reply about the person's own safety (slot crisis_reply_shown),
    so the next crisis message of this session is answered briefly (data/rules/safety_again.yml). Never
    lowered: once the emergency reply was given, a later crisis gets the emergency follow-up. The replies
    about someone else (utter_third_party) or about abuse leave it as it is: a crisis of the writer's own after
    them is new, and gets the whole crisis reply."""
    done = set(actions_this_turn(tracker))
    current = tracker.get_slot(CRISIS_REPLY_SLOT)
    if done & set(EMERGENCY_REPLY_MARKERS):
        wanted = "emergency"
    elif done & set(CRISIS_REPLY_MARKERS):
        wanted = current if current == "emergency" else "crisis"
    else:
        return []
    return [] if current == wanted else [SlotSet(CRISIS_REPLY_SLOT, wanted)]


def check_in_answered(tracker: Tracker) -> list[EventType]:
    """Clear check_in_reason once the check-in question has been answered, so the reason a question was
    asked earlier does not decide how a later question's answer is read."""
    return [SlotSet(CHECK_IN_REASON_SLOT, None)] if tracker.get_slot(CHECK_IN_REASON_SLOT) else []


async def record(sender_id: str, timestamp: float, case: dict[str, Any]) -> bool:
    """Call bot.escalations.record_escalation; False (after logging, without message text) on any failure."""
    try:
        from bot.escalations import record_escalation  # lazy: the action server must start without it
    except Exception as error:  # ImportError, or the module failing at import time
        logger.error("action_escalate: bot.escalations unavailable (%s); the reconciler will create the case",
                     type(error).__name__)
        return False
    try:
        # Database work blocks (a SQLite writer waits up to its busy timeout): run it in a worker thread,
        # so one slow insert never stalls every other conversation on this action server.
        result = await asyncio.to_thread(
            record_escalation,
            sender_id=sender_id,
            event_timestamp=float(timestamp),
            kind=case["kind"],
            categories=list(case["categories"]),
            rule_ids=list(case["rule_ids"]),
        )
        if inspect.isawaitable(result):
            await result
    except Exception as error:
        logger.error("action_escalate: recording the case failed (%s); the reconciler will create it",
                     type(error).__name__)
        return False
    return True


class ActionEscalate(Action):
    """Records the case for the latest user message, and keeps safety mode on."""

    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        event = latest_user_event(tracker)
        intent = ((event or {}).get("parse_data") or {}).get("intent", {}).get("name")
        if event is None or event.get("timestamp") is None:
            logger.error("action_escalate: no user message to escalate; the reconciler will check")
        else:
            await record(tracker.sender_id, message_time(event) or event["timestamp"],
                         escalation_from(event, last_question(tracker)))
        return [*safety_mode_events(tracker, domain, intent), *crisis_reply_events(tracker),
                *check_in_answered(tracker), *introduction_said(tracker)]


class ActionNoteCheckInDeclined(Action):
    """Remembers that the person answered the check-in question "no" (slot check_in_declined).

    Why: asking "are you thinking about suicide?" after every heavy message feels like an
    interrogation; with this slot set, the rules answer later check-in-level messages with a short
    reflection and the crisis line (utter_check_in_reflect). If the action server is down the slot
    stays empty and the question is asked again: the cautious direction.
    """

    def name(self) -> str:
        return "action_note_check_in_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pending = interrupted_question(tracker)
        # after an emergency reply, "no" to thoughts of suicide does not end the worry (utter_check_in_no's wording)
        after_emergency = True if tracker.get_slot("safety_kind") == "emergency" else None
        return [SlotSet("check_in_declined", True), SlotSet("declined_after_emergency", after_emergency),
                *check_in_answered(tracker), *introduction_said(tracker),
                *([SlotSet(PENDING_QUESTION_SLOT, pending)] if pending else [])]
