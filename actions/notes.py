"""A short acknowledgement carried to the next question ("That's fine, we can skip the number.").

Why: the answers to the rating question are read by a slot-mapping action (action_read_rating), and
Rasa drops any message such an action tries to say. So it leaves a note in the slot rating_note:
- "not_understood": the form asks the same question again, and the question itself (the response
  utter_ask_distress_*, conditional on this note, no action-server call) says it kindly;
- "skipped": whichever action speaks next (the first exercise step, the reflection) says
  utter_rating_skipped first.
The next speaking action clears the note either way; a "not_understood" left from a question that was
answered in the end is dropped silently, since that question already said it.
"""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

NOTE_SLOT = "rating_note"
SKIPPED = "skipped"
NOT_UNDERSTOOD = "not_understood"
# Notes said by the next speaking action; NOT_UNDERSTOOD is said by the re-asked question itself.
NOTE_RESPONSES = {SKIPPED: "utter_rating_skipped"}


def say_pending_note(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Say the pending note, if it is one to say; the events that clear any note."""
    note = tracker.get_slot(NOTE_SLOT)
    if note is None:
        return []
    if note in NOTE_RESPONSES:
        dispatcher.utter_message(response=NOTE_RESPONSES[note])
    return [SlotSet(NOTE_SLOT, None)]
