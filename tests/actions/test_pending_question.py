"""The question a check-in interrupted is answered after the person says "no" (actions/pending_question.py).

Why: "i've been stable since my attempt five years ago. i want to start therapy again" was asked the check-in
question, and after "no" the reply offered a skill: the therapy question was never answered.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.pending_question import ActionAnswerPendingQuestion, interrupted_question
from actions.safety import ActionNoteCheckInDeclined
from tests.actions.conftest import make_tracker, user_event


def _asked(ranking: list[tuple[str, float]], *after: dict[str, Any]) -> list[dict[str, Any]]:
    """A message overridden to safety_check_in, the check-in question, then `after` and the "no"."""
    trigger = user_event("safety_check_in", timestamp=1700000100.0)
    trigger["parse_data"]["intent_ranking"] = [{"name": "safety_check_in", "confidence": 1.0}] + [
        {"name": name, "confidence": confidence} for name, confidence in ranking]
    return [trigger, {"event": "action", "name": "utter_check_in"}, *after, user_event("deny", timestamp=1700000110.0)]


def test_the_classifiers_own_reading_of_a_clinic_question_is_kept(domain):
    events = _asked([("ask_therapy_options", 0.46), ("ask_clinic_referral", 0.15)])
    assert interrupted_question(make_tracker(domain, events=events)) == "ask_therapy_options"


def test_the_check_in_asked_again_still_belongs_to_that_question(domain):
    events = _asked([("ask_clinic_referral", 0.9)], user_event("nlu_fallback", timestamp=1700000105.0),
                    {"event": "action", "name": "utter_check_in_again"})
    assert interrupted_question(make_tracker(domain, events=events)) == "ask_clinic_referral"


def test_a_feeling_an_unsure_reading_or_an_older_episode_is_not_a_question(domain):
    assert interrupted_question(make_tracker(domain, events=_asked([("mood_low", 0.8), ("ask_clinic_referral", 0.1)]))) is None
    assert interrupted_question(make_tracker(domain, events=_asked([("ask_clinic_referral", 0.2)]))) is None
    # risk-family readings are skipped: the first other reading decides
    assert interrupted_question(make_tracker(domain, events=_asked(
        [("safety_crisis", 0.5), ("ask_clinic_cost", 0.4)]))) == "ask_clinic_cost"
    older = _asked([("ask_clinic_referral", 0.9)], {"event": "action", "name": "utter_greet"})
    assert interrupted_question(make_tracker(domain, events=older)) is None


async def test_the_no_sets_it_and_the_answer_follows_once(domain, dispatcher):
    tracker = make_tracker(domain, events=_asked([("ask_clinic_referral", 0.9)]))
    declined = await ActionNoteCheckInDeclined().run(dispatcher, tracker, domain)
    assert SlotSet("pending_question", "ask_clinic_referral") in declined
    answered = make_tracker(domain, slots={"pending_question": "ask_clinic_referral"})
    assert await ActionAnswerPendingQuestion().run(dispatcher, answered, domain) == [SlotSet("pending_question", None)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_clinic_referral"]


async def test_without_a_question_the_no_changes_nothing_else(domain, dispatcher):
    tracker = make_tracker(domain, events=_asked([("mood_low", 0.9)]))
    declined = await ActionNoteCheckInDeclined().run(dispatcher, tracker, domain)
    assert not any(e.get("name") == "pending_question" for e in declined)
    assert await ActionAnswerPendingQuestion().run(dispatcher, make_tracker(domain), domain) == []
    assert dispatcher.messages == []
