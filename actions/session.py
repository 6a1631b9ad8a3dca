"""Open every session by saying plainly what this assistant is, and where to get help right now.

Why a custom action_session_start: the opening must come before anything else, even when the first
message is a crisis, and a new session (after an hour of silence) must not forget that the person
was in crisis: safety mode and its footer carry over, so the crisis line stays in every reply.
Everything else (exercise progress, ratings, check-in answers) starts fresh.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Slots a new session keeps (when session_config.carry_over_slots_to_new_session is true).
CARRY_OVER_SLOTS = ("safety_mode", "safety_kind", "safety_footer")


def carry_over_enabled(domain: DomainDict) -> bool:
    return bool((domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True))


def carried_slots(tracker: Tracker, domain: DomainDict) -> list[EventType]:
    if not carry_over_enabled(domain):
        return []
    events: list[EventType] = []
    for name in CARRY_OVER_SLOTS:
        value: Any = tracker.get_slot(name)
        if value not in (None, ""):
            events.append(SlotSet(name, value))
    return events


class ActionSessionStart(Action):
    """SessionStarted, the carried-over safety slots, the opening message, then listen."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        carried = carried_slots(tracker, domain)
        if tracker.is_paused():
            # A person from the clinic is in the chat (live handoff): a new session must not end the
            # pause (SessionStarted resets it) nor greet the person in the middle of that conversation.
            return [SessionStarted(), *carried, ConversationPaused(), ActionExecuted("action_listen")]
        in_safety_mode = any(e.get("name") == "safety_mode" and e.get("value") is True for e in carried)
        dispatcher.utter_message(response="utter_safety_opening" if in_safety_mode else "utter_opening")
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
