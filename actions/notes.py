"""A short acknowledgement carried to the next question ("That's fine, we can skip the number.").

Why: the answers to the rating question are read by a slot-mapping action (action_read_rating), and
Rasa drops any message such an action tries to say. So it leaves a note in the slot rating_note, and
whichever action speaks next (the rating question, the first exercise step, the reflection) says
utter_rating_<note> first and clears the note.
"""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

NOTE_SLOT = "rating_note"
SKIPPED = "skipped"
NOT_UNDERSTOOD = "not_understood"
NOTE_RESPONSES = {SKIPPED: "utter_rating_skipped", NOT_UNDERSTOOD: "utter_rating_not_understood"}


def say_pending_note(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Say the pending note, if any; the events that clear it."""
    note = tracker.get_slot(NOTE_SLOT)
    if note not in NOTE_RESPONSES:
        return []
    dispatcher.utter_message(response=NOTE_RESPONSES[note])
    return [SlotSet(NOTE_SLOT, None)]
