"""Distress ratings before and after an exercise, and an honest reflection of the change.

Why: a 0-10 rating lets the person notice a change they might otherwise miss, without the assistant
claiming the exercise "worked". Parsing lives in rating_parser.py; these actions decide what it means
for the conversation:
- action_read_rating (the custom slot mapping of distress_before / distress_after, run for any answer
  while a rating form waits, never for a risk message) stores a number, "unsure" or "skipped", or
  leaves the slot empty with the note "not_understood", so the form asks again kindly (the responses
  utter_ask_distress_before / _after, whose conditional variations say "I didn't catch that": the
  questions need no action-server call). A second answer it cannot read in a row moves on without a
  number (slot "skipped": the first rating with utter_rating_skipped before step 1, the second with
  no note, since the reflection then says it without numbers). "skip" skips the number. `exercise_stop` at the first rating
  ends the exercise before it starts (exercise_outcome: stopped), and so does a "no" (deny) there; at the
  second rating stop skips the number.
- action_reflect_rating names the change ("from 8 to 6"), and never invents numbers.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.notes import NOT_UNDERSTOOD, NOTE_SLOT, SKIPPED, say_pending_note
from actions.rating_parser import RatingKind, parse_rating
from actions.tracker_helpers import latest_intent

logger = logging.getLogger(__name__)

STOP_INTENT = "exercise_stop"
# A "no" to the first rating question ("nah", "i dont want to") is not wanting the exercise at all.
DECLINE_INTENTS = {"deny"}
UNSURE = "unsure"
# Which slot each rating form asks for, and whether "stop" there ends the whole exercise.
RATING_FORMS = {
    "pre_rating_form": ("distress_before", True),
    "post_rating_form": ("distress_after", False),
}


def read_rating(text: Optional[str], intent: Optional[str], slot: str, stop_ends_exercise: bool,
                note: Optional[str] = None) -> list[EventType]:
    """Slot events for one answer to the rating question. A number wins over everything else.

    `note` is the pending rating_note: NOT_UNDERSTOOD means the question was already asked again once.
    """
    rating = parse_rating(text)
    if rating.kind is RatingKind.NUMBER:
        return [SlotSet(slot, rating.value)]
    if rating.kind is RatingKind.UNSURE:
        return [SlotSet(slot, UNSURE)]
    if rating.kind is RatingKind.SKIP:
        return [SlotSet(slot, SKIPPED), SlotSet(NOTE_SLOT, SKIPPED)]
    if intent == STOP_INTENT or (intent in DECLINE_INTENTS and stop_ends_exercise):
        if stop_ends_exercise:
            # The rules say utter_exercise_stopped and offer something else.
            return [SlotSet(slot, SKIPPED), SlotSet("exercise_outcome", "stopped")]
        return [SlotSet(slot, SKIPPED), SlotSet(NOTE_SLOT, SKIPPED)]
    if note == NOT_UNDERSTOOD:
        # Asked twice: go on without a number rather than ask a third time.
        return [SlotSet(slot, SKIPPED), SlotSet(NOTE_SLOT, SKIPPED if stop_ends_exercise else None)]
    return [SlotSet(slot, None), SlotSet(NOTE_SLOT, NOT_UNDERSTOOD)]


class ActionReadRating(Action):
    """Custom slot mapping of distress_before and distress_after."""

    def name(self) -> str:
        return "action_read_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        if form not in RATING_FORMS:
            return []
        slot, stop_ends_exercise = RATING_FORMS[form]
        if tracker.get_slot("requested_slot") != slot:
            return []
        text = (tracker.latest_message or {}).get("text")
        return read_rating(text, latest_intent(tracker), slot, stop_ends_exercise, tracker.get_slot(NOTE_SLOT))


def as_number(value: Any) -> Optional[int]:
    """A stored rating as an int, or None for "unsure", "skipped" or nothing."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


class ActionReflectRating(Action):
    """Went down / stayed / went up, in the person's own numbers; no numbers when either is missing."""

    def name(self) -> str:
        return "action_reflect_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = say_pending_note(dispatcher, tracker)
        before = as_number(tracker.get_slot("distress_before"))
        after = as_number(tracker.get_slot("distress_after"))
        if before is None or after is None:
            dispatcher.utter_message(response="utter_rating_no_numbers")
            return events
        if after < before:
            response = "utter_rating_went_down"
        elif after == before:
            response = "utter_rating_same"
        else:
            response = "utter_rating_went_up"
        dispatcher.utter_message(response=response, distress_before=before, distress_after=after)
        return events
