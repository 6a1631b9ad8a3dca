"""action_session_start: opening message first; safety mode survives a new session, nothing else does."""
import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart
from tests.actions.conftest import make_tracker, responses

FOOTER = "If you need to talk to someone right now, you can call or text 988 any time."


async def test_a_first_session_opens_with_the_plain_introduction(domain, dispatcher):
    events = await ActionSessionStart().run(dispatcher, make_tracker(domain, events=[]), domain)
    assert responses(dispatcher) == ["utter_opening"]
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


async def test_safety_mode_and_its_footer_carry_over(domain, dispatcher):
    tracker = make_tracker(domain, events=[], slots={
        "safety_mode": True, "safety_kind": "crisis", "safety_footer": FOOTER,
        "exercise": "box_breathing", "exercise_step": 2.0, "distress_before": 8, "emotion": "sad",
    })
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_safety_opening"]
    assert events == [SessionStarted(), SlotSet("safety_mode", True), SlotSet("safety_kind", "crisis"),
                      SlotSet("safety_footer", FOOTER), ActionExecuted("action_listen")]


@pytest.mark.parametrize("carry_over", [False])
async def test_nothing_carries_over_when_the_domain_says_so(domain, dispatcher, carry_over):
    no_carry = {**domain, "session_config": {**domain["session_config"],
                                             "carry_over_slots_to_new_session": carry_over}}
    tracker = make_tracker(domain, events=[], slots={"safety_mode": True, "safety_footer": FOOTER})
    events = await ActionSessionStart().run(dispatcher, tracker, no_carry)
    assert responses(dispatcher) == ["utter_opening"]
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


def test_the_domain_keeps_slots_across_sessions_after_an_hour(domain):
    assert domain["session_config"] == {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}


async def test_a_new_session_keeps_a_live_handoff_paused_and_says_nothing(domain, dispatcher):
    """A staff member is in the chat (the tracker is paused): SessionStarted would end the pause, so the
    action pauses again and does not greet the person mid-conversation."""
    from rasa_sdk.events import ConversationPaused

    tracker = make_tracker(domain, events=[], slots={"safety_mode": True, "safety_footer": FOOTER})
    tracker._paused = True
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == []
    assert events[0] == SessionStarted() and ConversationPaused() in events
    assert events.index(ConversationPaused()) > 0 and events[-1] == ActionExecuted("action_listen")
