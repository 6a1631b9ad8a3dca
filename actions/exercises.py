"""Guided exercises, one short step per message, paced by the person.

Why the steps are data: an exercise is the list of responses utter_<exercise>_step_<n> in domain.yml
(docs/conversation-design.md, "Exercises"), so adding or rewording a step never touches code. These
actions only count the steps and keep track of where the person is:
- action_start_exercise picks the exercise and resets the exercise and rating slots;
- action_read_exercise_reply (the custom slot mapping of exercise_ack, run for any reply while
  exercise_form waits, never for a risk message) moves one step on, ends the form after the last
  step, or ends it at once, kindly, when the person asks to stop (exercise_outcome: stopped; the
  rules then skip the second rating and offer something else);
- action_ask_exercise_ack (exercise_form's question) says the next step.
Partway through, a reply that says the exercise is helping ("thanks that helped a bit"), or that the
feeling is still strong ("im still really anxious"), is not taken as "next": the step is not counted,
the slot exercise_pause notes it, and the question becomes "keep going, or stop here?"
(utter_exercise_pause_<kind>). A question it can answer with one response ("what are your opening
hours") is answered first (ASIDES, kind "aside"). The answer to that goes on (any reply) or stops
(stop, no, thanks, bye). One mechanism for every exercise: the kinds and intents are PAUSES below.
"""
from __future__ import annotations

import logging
import re
from typing import Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.notes import NOTE_SLOT, say_pending_note
from actions.tracker_helpers import entity_values, latest_intent

logger = logging.getLogger(__name__)

EXERCISES = (
    "grounding_54321", "box_breathing", "paced_breathing", "tipp",
    "stop_skill", "accepts", "self_soothe", "mindful_checkin",
)
# The exercise a request starts when the person named none (rules only start one for these intents).
INTENT_DEFAULTS = {
    "request_grounding": "grounding_54321",
    "request_mindfulness": "mindful_checkin",
    "request_breathing": "box_breathing",
    "request_distress_tolerance": "tipp",
    "request_any_skill": "grounding_54321",
    "choose_skill": "grounding_54321",
}
FORM = "exercise_form"
SLOT = "exercise_ack"
STOP_INTENT = "exercise_stop"
PAUSE_SLOT = "exercise_pause"
# Replies partway through an exercise that deserve an answer before the next step: intent -> kind
# (the response utter_exercise_pause_<kind> and the conditional wording of utter_exercise_stopped).
PAUSES = {
    "thank": "helped", "mood_better": "helped",
    # "im still really anxious": heard, not talked over by the next step
    "mood_low": "struggling", "mood_anxious": "struggling", "mood_overwhelmed": "struggling",
    "mood_angry": "struggling", "mood_numb": "struggling", "mood_ashamed": "struggling",
    "mood_lonely": "struggling", "family_conflict": "struggling",
    "bullying": "struggling",
}
# Replies that may only acknowledge the first message ("ok thanks"): no pause there.
ACKNOWLEDGEMENTS = {"thank"}
# A question the assistant answers with one response ("what are your opening hours" partway through):
# answered, then "carry on, or stop here?" (pause kind "aside"), at any step; the step is not counted.
ASIDES = {
    "ask_clinic_hours": "utter_clinic_hours", "ask_clinic_location": "utter_clinic_location",
    "ask_clinic_contact": "utter_clinic_contact", "ask_clinic_referral": "utter_clinic_referral",
    "ask_clinic_services": "utter_clinic_services", "ask_clinic_cost": "utter_clinic_cost",
    "ask_therapy_cbt": "utter_therapy_cbt", "ask_therapy_dbt": "utter_therapy_dbt",
    "ask_therapy_act": "utter_therapy_act", "ask_therapy_mbt": "utter_therapy_mbt",
    "ask_therapy_supportive": "utter_therapy_supportive", "ask_therapy_mindfulness": "utter_therapy_mindfulness",
    "ask_therapy_compare": "utter_therapy_compare", "worried_about_someone": "utter_worried_about_someone",
    "ask_medication": "utter_medication", "ask_is_bot": "utter_is_bot", "request_human": "utter_request_human",
    "ask_privacy": "utter_privacy", "ask_diagnosis": "utter_diagnosis",
}
ASIDE = "aside"
# Answers to "keep going, or stop here?" that mean stop; any other reply goes on.
STOP_AFTER_PAUSE = {STOP_INTENT, "deny", "thank", "goodbye", "mood_better"}
# "done" is exercise_next inside an exercise ("done, what's next"), but as the whole answer to "keep going,
# or stop here?" it means "I'm done" (a walk-through: "done" there got round 2).
DONE_AFTER_PAUSE = re.compile(r"^\W*(i'?m |i am |im )?(all )?(done|finished|good now|enough)( now| thanks| thank you)?\W*$",
                              re.IGNORECASE)


def done_after_pause(tracker: Tracker) -> bool:
    """Whether the whole reply says "done" (read, never stored)."""
    return bool(DONE_AFTER_PAUSE.match(str((tracker.latest_message or {}).get("text") or "")))


def step_response(exercise: str, step: int) -> str:
    """The response name of step `step` (1-based) of `exercise`."""
    return f"utter_{exercise}_step_{step}"


def count_steps(domain: DomainDict, exercise: Optional[str]) -> int:
    """How many steps the domain defines for `exercise`: utter_<exercise>_step_1, _2, ... without gaps."""
    if not exercise:
        return 0
    responses = domain.get("responses") or {}
    count = 0
    while step_response(exercise, count + 1) in responses:
        count += 1
    return count


def known_exercises(domain: DomainDict) -> tuple[str, ...]:
    """The values of the categorical slot `exercise` (the canonical skill names), else the built-in list."""
    values = ((domain.get("slots") or {}).get("exercise") or {}).get("values")
    return tuple(values) if values else EXERCISES


def steps_done(tracker: Tracker) -> int:
    value = tracker.get_slot("exercise_step")
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def waiting_for(tracker: Tracker, form: str, slot: str) -> bool:
    """Is `form` active and asking for `slot`? (Rasa's mapping conditions say so too; checked again.)"""
    return (tracker.active_loop or {}).get("name") == form and tracker.get_slot("requested_slot") == slot


class ActionStartExercise(Action):
    """Chooses the exercise (the `skill` the person picked, else the request's default) and resets state."""

    def name(self) -> str:
        return "action_start_exercise"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        known = known_exercises(domain)
        chosen = next((value for value in entity_values(tracker, "skill") if value in known), None)
        exercise = chosen or INTENT_DEFAULTS.get(latest_intent(tracker) or "", "grounding_54321")
        return [
            SlotSet("exercise", exercise),
            SlotSet("exercise_step", 0.0),
            SlotSet("exercise_ack", None),
            SlotSet("exercise_outcome", None),
            SlotSet("distress_before", None),
            SlotSet("distress_after", None),
            SlotSet(NOTE_SLOT, None),
            SlotSet(PAUSE_SLOT, None),
        ]


class ActionReadExerciseReply(Action):
    """Custom slot mapping of exercise_ack: any reply moves one step on; stop ends the exercise now."""

    def name(self) -> str:
        return "action_read_exercise_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not waiting_for(tracker, FORM, SLOT):
            return []
        # The reply itself is never stored, only what it means.
        intent = latest_intent(tracker)
        paused = tracker.get_slot(PAUSE_SLOT)
        if intent == STOP_INTENT or (paused and (intent in STOP_AFTER_PAUSE or done_after_pause(tracker))):
            return [SlotSet(SLOT, "stopped"), SlotSet("exercise_outcome", "stopped")]
        done = steps_done(tracker) + 1
        last = count_steps(domain, tracker.get_slot("exercise"))
        # Said before the last step: ask whether to go on (step not counted). A plain "thanks" at the
        # first message (often the introduction and first instruction) is "ok, ready" and moves on;
        # "that helped" or "im still anxious" there is heard like anywhere else.
        started = 1 <= steps_done(tracker) or intent not in ACKNOWLEDGEMENTS
        if not paused and intent in PAUSES and started and done < last:
            return [SlotSet(SLOT, None), SlotSet(PAUSE_SLOT, PAUSES[intent])]
        if intent in ASIDES:  # answered by action_ask_exercise_ack, whatever the step
            return [SlotSet(SLOT, None), SlotSet(PAUSE_SLOT, ASIDE)]
        clear = [SlotSet(PAUSE_SLOT, None)] if paused else []
        if done >= last:
            return [SlotSet(SLOT, "done"), SlotSet("exercise_step", float(done)),
                    SlotSet("exercise_outcome", "completed"), *clear]
        # An empty answer makes the form ask again, i.e. say the next step.
        return [SlotSet(SLOT, None), SlotSet("exercise_step", float(done)), *clear]


class ActionAskExerciseAck(Action):
    """exercise_form's question: the next step of the current exercise."""

    def name(self) -> str:
        return "action_ask_exercise_ack"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = say_pending_note(dispatcher, tracker)  # e.g. "we can skip the number" before step 1
        pause = tracker.get_slot(PAUSE_SLOT)
        if pause:
            if pause == ASIDE and latest_intent(tracker) in ASIDES:
                dispatcher.utter_message(response=ASIDES[latest_intent(tracker) or ""])
            dispatcher.utter_message(response=f"utter_exercise_pause_{pause}")
            return events
        exercise = tracker.get_slot("exercise")
        step = steps_done(tracker) + 1
        if step > count_steps(domain, exercise):
            # No such step (unknown exercise): the next reply ends the form (action_read_exercise_reply).
            logger.error("action_ask_exercise_ack: exercise %s has no step %d", exercise, step)
            return events
        dispatcher.utter_message(response=step_response(exercise, step))
        return events
