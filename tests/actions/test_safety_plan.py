"""The safety plan's answers: kept verbatim, skippable, and a risk answer is never swallowed."""
import pytest
from rasa_sdk.events import SlotSet

from actions.safety_plan import PLAN_SLOTS, ActionReadPlanAnswer, plan_rules
from actions.session import ActionSessionStart
from tests.actions.conftest import make_tracker, slot_events, user_event


def plan_tracker(domain, text, intent="nlu_fallback", requested="plan_warning_signs", filled=None, safety=None,
                 loop="safety_plan_form", safety_mode=None):
    event = user_event(intent, text=text, safety=safety)
    return make_tracker(domain, events=[event], active_loop=loop,
                        slots={"requested_slot": requested, "safety_mode": safety_mode, **(filled or {})})


async def read(domain, dispatcher, *args, **kwargs):
    return await ActionReadPlanAnswer().run(dispatcher, plan_tracker(domain, *args, **kwargs), domain)


async def test_the_answer_is_kept_in_the_persons_own_words(domain, dispatcher):
    words = "When I stop answering my phone and can't sleep, and I think 'what's the point'"
    events = await read(domain, dispatcher, f"  {words} ")
    assert events == [SlotSet("plan_warning_signs", words)]
    assert dispatcher.messages == []  # nothing said, nothing else stored


@pytest.mark.parametrize("text, intent", [("skip", "exercise_next"), ("Skip this step!", "nlu_fallback"),
                                          ("idk", "inform_rating"), ("/exercise_next", "exercise_next"),
                                          ("not sure", "nlu_fallback"), ("ok", "affirm"), ("No.", "deny"),
                                          ("nobody else", "deny")])
async def test_a_step_can_be_skipped(domain, dispatcher, text, intent):
    events = await read(domain, dispatcher, text, intent=intent, requested="plan_coping")
    assert events == [SlotSet("plan_coping", "")]


@pytest.mark.parametrize("text, intent", [("stop", "exercise_stop"), ("/exercise_stop", "exercise_stop"),
                                          ("Can we just talk?", "just_talk"), ("/just_talk", "just_talk")])
async def test_stop_or_just_talk_alone_pauses_the_plan(domain, dispatcher, text, intent):
    assert await read(domain, dispatcher, text, intent=intent, requested="plan_people") == []


@pytest.mark.parametrize("text, intent", [("talk to my mum, she always picks up", "just_talk"),
                                          ("stop and breathe slowly", "exercise_stop"),
                                          ("stop", "deny")])
async def test_an_answer_that_sounds_like_stop_or_talk_is_still_an_answer(domain, dispatcher, text, intent):
    assert await read(domain, dispatcher, text, intent=intent, requested="plan_people") == [SlotSet("plan_people", text)]


async def test_another_buttons_payload_is_not_an_answer(domain, dispatcher):
    assert await read(domain, dispatcher, "/affirm", intent="affirm") == []


async def test_the_last_missing_step_completes_the_plan(domain, dispatcher):
    filled = {name: "something" for name in PLAN_SLOTS}
    filled["plan_distractions"] = ""  # skipped earlier: still counts as done
    filled["plan_environment"] = None
    events = await read(domain, dispatcher, "ask my brother to keep the car keys", requested="plan_environment",
                        filled=filled)
    assert slot_events(events) == {"plan_environment": "ask my brother to keep the car keys", "plan_complete": True}


async def test_a_plan_with_a_step_still_open_is_not_complete(domain, dispatcher):
    filled = {name: "x" for name in PLAN_SLOTS[:3]}
    events = await read(domain, dispatcher, "my sister Ana", requested="plan_people", filled=filled)
    assert slot_events(events) == {"plan_people": "my sister Ana"}


@pytest.mark.parametrize("loop, requested", [(None, "plan_coping"), ("exercise_form", "exercise_ack"),
                                             ("safety_plan_form", "exercise_ack")])
async def test_nothing_is_read_outside_the_plans_question(domain, dispatcher, loop, requested):
    assert await read(domain, dispatcher, "anything", loop=loop, requested=requested) == []


MEANS_ONLY_CRISIS = {"kind": "crisis", "escalate": True, "categories": ["access_to_means"]}
MEANS_MODEL_CHECK_IN = {"kind": "check_in", "escalate": False, "categories": ["risk_language"]}
INTENT_TONIGHT = {"kind": "crisis", "escalate": True, "categories": ["intent_or_timeline"]}
PLAN_EMERGENCY = {"kind": "emergency", "escalate": True, "categories": ["intent_or_timeline", "plan_or_method"]}


@pytest.mark.parametrize("text, intent, safety", [
    ("I'll give my pills to my sister", "safety_check_in", MEANS_MODEL_CHECK_IN),
    ("ask my mum to keep my meds", "safety_crisis", MEANS_ONLY_CRISIS),
])
async def test_step_6_takes_a_protective_step_about_means_as_the_answer(domain, dispatcher, text, intent, safety):
    events = await read(domain, dispatcher, text, intent=intent, safety=safety, requested="plan_environment")
    assert slot_events(events) == {"plan_environment": text}


@pytest.mark.parametrize("text, intent, safety", [
    ("I'm going to do it tonight", "safety_crisis", INTENT_TONIGHT),
    ("I'll take all my pills tonight", "safety_emergency", PLAN_EMERGENCY),
    ("whatever", "safety_crisis", {}),  # flagged without an assessment: never taken as an answer
])
async def test_step_6_leaves_intent_timing_and_emergencies_to_the_crisis_rules(domain, dispatcher, text, intent, safety):
    assert await read(domain, dispatcher, text, intent=intent, safety=safety, requested="plan_environment") == []


@pytest.mark.parametrize("intent, safety", [("safety_check_in", MEANS_MODEL_CHECK_IN),
                                            ("safety_crisis", MEANS_ONLY_CRISIS),
                                            ("safety_check_in", None)])
async def test_steps_2_to_5_never_take_a_flagged_answer(domain, dispatcher, intent, safety):
    for slot in PLAN_SLOTS[1:5]:
        assert await read(domain, dispatcher, "the pills", intent=intent, safety=safety, requested=slot,
                          safety_mode=True) == []


IDEATION = {"kind": "crisis", "escalate": True, "categories": ["active_ideation"]}
NOT_EATING = {"kind": "crisis", "escalate": True, "categories": ["eating_disorder"]}


@pytest.mark.parametrize("text, safety", [("when I start thinking about killing myself", IDEATION),
                                          ("i stop eating and i can't sleep", NOT_EATING)])
async def test_step_1_takes_thoughts_before_a_crisis_as_warning_signs_once_in_safety_mode(domain, dispatcher, text,
                                                                                         safety):
    events = await read(domain, dispatcher, text, intent="safety_crisis", safety=safety, safety_mode=True)
    assert slot_events(events) == {"plan_warning_signs": text}
    # before the crisis reply was ever given, the same answer gets the crisis reply first
    assert await read(domain, dispatcher, text, intent="safety_crisis", safety=safety) == []


@pytest.mark.parametrize("text, intent, safety", [
    ("I'm going to do it tonight", "safety_crisis", INTENT_TONIGHT),
    ("I'll take all my pills tonight", "safety_emergency", PLAN_EMERGENCY),
    ("I give my pills to my sister", "safety_crisis", MEANS_ONLY_CRISIS),  # means: not a warning sign
])
async def test_step_1_leaves_intent_timing_means_and_emergencies_to_the_crisis_rules(domain, dispatcher, text,
                                                                                    intent, safety):
    assert await read(domain, dispatcher, text, intent=intent, safety=safety, safety_mode=True) == []


def test_the_domain_maps_each_plan_slot_through_the_action_and_skips_risk_except_where_step_6_decides(domain):
    risk = {"safety_crisis", "safety_emergency", "safety_check_in", "safety_check_in_other", "safety_third_party",
            "safety_abuse"}
    assert domain["forms"]["safety_plan_form"]["required_slots"] == list(PLAN_SLOTS)
    for slot in PLAN_SLOTS:
        (mapping,) = domain["slots"][slot]["mappings"]
        assert mapping["action"] == "action_read_plan_answer"
        assert mapping["conditions"] == [{"active_loop": "safety_plan_form", "requested_slot": slot}]
        skipped = set(mapping["not_intent"])
        flagged_read = slot in plan_rules().flagged_answers  # steps 1 and 6: the action decides
        expected = {"safety_emergency", "safety_check_in_other", "safety_third_party", "safety_abuse"} if flagged_read else risk
        assert skipped == expected


async def test_the_plan_carries_over_into_a_new_session_with_skipped_steps(domain, dispatcher):
    plan = {"plan_warning_signs": "no sleep", "plan_coping": "", "plan_distractions": "the park",
            "plan_people": "Ana", "plan_professionals": "", "plan_environment": "keys to my brother",
            "plan_complete": True}
    events = await ActionSessionStart().run(dispatcher, make_tracker(domain, events=[], slots=plan), domain)
    assert slot_events(events) == plan
