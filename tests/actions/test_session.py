"""action_session_start: opening message first; safety mode survives a new session, nothing else does."""
import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart
from tests.actions.conftest import make_tracker, responses

FOOTER = "If you need to talk to someone right now, you can reach the crisis line any time."  # any text


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


def test_the_domain_keeps_slots_across_sessions_after_the_configured_time(domain):
    from bot.settings import load_settings

    minutes = load_settings().conversations.session_expiration_minutes
    assert domain["session_config"] == {"session_expiration_time": minutes, "carry_over_slots_to_new_session": True}


async def test_the_conversations_locale_comes_from_the_message_that_started_the_session(domain, dispatcher):
    """The widget's data-locale reaches Rasa as message metadata: the opening and every later reply
    name that locale's lines (en-GB: Samaritans, voice only), whatever the clinic's own locale is."""
    from safety.resources import load_resources

    gb = load_resources("en-GB")
    tracker = make_tracker(domain, events=[], slots={"session_started_metadata": {"locale": "en-GB"}})
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["locale"] == "en-GB"
    assert slots["crisis_contact"] == gb.primary_contact == "call 116 123"
    assert slots["crisis_line"] == gb.primary_line
    assert slots["emergency_line"] == gb.emergency_line
    [opening] = dispatcher.messages
    assert opening["response"] == "utter_opening"
    assert opening["crisis_contact"] == "call 116 123"  # the opening itself is worded in that locale


async def test_an_unknown_or_unchanged_locale_changes_nothing(domain, dispatcher):
    clinic = domain["slots"]["locale"]["initial_value"]
    for metadata in ({"locale": "xx-YY"}, {"locale": clinic}, {}, None):
        tracker = make_tracker(domain, events=[], slots={"session_started_metadata": metadata, "locale": clinic})
        events = await ActionSessionStart().run(dispatcher, tracker, domain)
        assert events == [SessionStarted(), ActionExecuted("action_listen")]


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


@pytest.mark.parametrize("carried", [{}, {"safety_mode": True, "safety_footer": FOOTER}])
async def test_a_session_opened_by_a_risk_message_leaves_the_introduction_to_the_crisis_reply(
        domain, dispatcher, carried):
    """Nobody who just wrote "i want to kill myself" is first asked "How are you doing today?": no
    opening, and introduce_in_reply picks the safety reply's variation that says what this assistant is."""
    tracker = make_tracker(domain, events=[], slots={**carried, "session_started_metadata": {"at_risk": True}})
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == []
    assert SlotSet("introduce_in_reply", True) in events
    assert events[0] == SessionStarted() and events[-1] == ActionExecuted("action_listen")


def test_every_first_safety_reply_says_it_is_an_automated_assistant_and_asks_nothing_first(domain):
    """The variations action_session_start relies on exist, and say what the opening would have said."""
    for name in ("utter_crisis", "utter_emergency", "utter_third_party", "utter_abuse", "utter_check_in"):
        variations = [v for v in domain["responses"][name]
                      if any(c.get("name") == "introduce_in_reply" and c.get("value") for c in v.get("condition", []))]
        assert variations, name  # utter_emergency has two: about the writer and about someone else (risk_about)
        for variation in variations:
            assert "automated assistant" in variation["text"]
            assert "how are you" not in variation["text"].lower()


@pytest.mark.parametrize("name", ["utter_safety_stay_no", "utter_abuse_stay_no", "utter_safety_stay_no_emergency"])
def test_no_to_the_offer_to_stay_is_never_a_goodbye(domain, name):
    """Someone at risk who says no to reaching out is not sent off ("You can come back and talk to me
    whenever you want" read as a goodbye): every wording stays in the conversation with a question."""
    for variation in domain["responses"][name]:
        text = variation["text"].lower()
        assert "come back" not in text and "whenever you want" not in text
        assert text.rstrip().endswith("?")
