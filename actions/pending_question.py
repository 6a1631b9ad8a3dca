"""The clinic or therapy question a check-in interrupted, answered once the person has said "no".

Why: "i've been stable since my attempt five years ago. i want to start therapy again" is asked the check-in
question first (the safety component's intent wins). After "no", the reply offered a skill, and what the person
came for was never answered. The classifier's own reading of that message is still in its intent ranking (the
safety component puts its intent in front and keeps the rest); when it read a clinic or therapy question, the
"no" reply says it will come back to it (utter_check_in_no's variation for slot pending_question) and this action
gives that answer, with the response the question would have had. With the action server down, the slot stays
empty and the reply is the usual one with the skill offer.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

PENDING_QUESTION_SLOT = "pending_question"
#: the check-in question about the person's own safety; its repeat (utter_check_in_again) keeps the episode open
CHECK_IN_QUESTION, CHECK_IN_AGAIN = "utter_check_in", "utter_check_in_again"
#: questions worth answering after a "no", each with the response its rule gives (data/rules/clinic.yml, therapies)
ANSWER_FOR = {intent: "utter_" + intent.removeprefix("ask_") for intent in (
    "ask_clinic_referral", "ask_clinic_services", "ask_clinic_cost", "ask_clinic_hours", "ask_clinic_location",
    "ask_clinic_contact", "ask_therapy_options", "ask_therapy_cbt", "ask_therapy_dbt", "ask_therapy_act",
    "ask_therapy_mbt", "ask_therapy_supportive", "ask_therapy_mindfulness", "ask_therapy_compare",
    "ask_medication", "ask_diagnosis")}
#: the classifier's confidence in that reading, at least (below it the message is answered as before)
MIN_CONFIDENCE = 0.3


def interrupted_question(tracker: Tracker) -> Optional[str]:
    """The question intent of the message the check-in question answered, when the classifier ranked it first
    (after the safety component's own intent) and nothing but the check-in question was said since."""
    events = tracker.events or []
    asked = next((i for i in range(len(events) - 1, -1, -1)
                  if events[i].get("event") == "action" and events[i].get("name") == CHECK_IN_QUESTION), None)
    if asked is None or any(_said_something_else(e) for e in events[asked + 1:]):
        return None
    trigger = next((e for e in reversed(events[:asked]) if e.get("event") == "user"), None)
    ranking: list[dict[str, Any]] = ((trigger or {}).get("parse_data") or {}).get("intent_ranking") or []
    first = next((entry for entry in ranking[1:] if not str(entry.get("name", "")).startswith("safety_")), None)
    if first and first.get("name") in ANSWER_FOR and (first.get("confidence") or 0.0) >= MIN_CONFIDENCE:
        return str(first["name"])
    return None


def _said_something_else(event: dict[str, Any]) -> bool:
    """A reply other than the check-in question (asked again) since it was asked: another episode has begun."""
    name = event.get("name") or ""
    return event.get("event") == "action" and name.startswith("utter_") and name != CHECK_IN_AGAIN


class ActionAnswerPendingQuestion(Action):
    """After the "no" reply: the answer to the question the check-in interrupted (slot pending_question), once."""

    def name(self) -> str:
        return "action_answer_pending_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = tracker.get_slot(PENDING_QUESTION_SLOT)
        if intent not in ANSWER_FOR:
            return []
        dispatcher.utter_message(response=ANSWER_FOR[intent])
        return [SlotSet(PENDING_QUESTION_SLOT, None)]
