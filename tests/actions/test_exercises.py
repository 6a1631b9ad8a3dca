"""Exercises: which one starts, which step is said, and how a reply moves on, finishes or stops."""
import pytest
from rasa_sdk.events import SlotSet

from actions.exercises import (
    EXERCISES,
    ActionAskExerciseAck,
    ActionStartExercise,
    ActionReadExerciseReply,
    count_steps,
)
from tests.actions.conftest import entity, make_tracker, responses, slot_events

RESET = {"exercise_step": 0.0, "exercise_ack": None, "exercise_outcome": None,
         "distress_before": None, "distress_after": None, "rating_note": None, "exercise_pause": None}


@pytest.mark.parametrize(
    "intent, skill, expected",
    [
        ("request_grounding", None, "grounding_54321"),
        ("request_mindfulness", None, "mindful_checkin"),
        ("choose_skill", "box_breathing", "box_breathing"),
        ("choose_skill", "paced_breathing", "paced_breathing"),
        ("choose_skill", "tipp", "tipp"),
        ("choose_skill", "stop_skill", "stop_skill"),
        ("choose_skill", "accepts", "accepts"),
        ("choose_skill", "self_soothe", "self_soothe"),
        ("choose_skill", "mindful_checkin", "mindful_checkin"),
        ("request_breathing", "paced_breathing", "paced_breathing"),
        ("request_distress_tolerance", "accepts", "accepts"),
        ("request_grounding", "box_breathing", "box_breathing"),  # the named skill wins
        ("choose_skill", "not_an_exercise", "grounding_54321"),  # unknown value: the request's default
    ],
)
async def test_start_picks_the_exercise_and_resets_progress_and_ratings(domain, dispatcher, intent, skill, expected):
    tracker = make_tracker(domain, intent=intent, entities=[entity("skill", skill)] if skill else [],
                           slots={"exercise_step": 3.0, "distress_before": 8, "exercise_outcome": "stopped"})
    events = await ActionStartExercise().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"exercise": expected, **RESET}
    assert dispatcher.messages == []


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_exercise_has_consecutive_steps_in_the_domain(domain, exercise):
    count = count_steps(domain, exercise)
    assert count >= 4
    assert f"utter_{exercise}_step_{count + 1}" not in domain["responses"]


@pytest.mark.parametrize(
    "exercise, done, expected",
    [
        ("grounding_54321", 0, "utter_grounding_54321_step_1"),
        ("grounding_54321", 4, "utter_grounding_54321_step_5"),
        ("accepts", 7, "utter_accepts_step_8"),
        ("box_breathing", None, "utter_box_breathing_step_1"),
    ],
)
async def test_ask_says_the_next_step(domain, dispatcher, exercise, done, expected):
    tracker = make_tracker(domain, intent="exercise_next", slots={"exercise": exercise, "exercise_step": done},
                           active_loop="exercise_form")
    assert await ActionAskExerciseAck().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == [expected]


@pytest.mark.parametrize("exercise, done", [("grounding_54321", 5), (None, 0)])
async def test_ask_says_nothing_when_there_is_no_such_step(domain, dispatcher, exercise, done):
    tracker = make_tracker(domain, slots={"exercise": exercise, "exercise_step": done})
    assert await ActionAskExerciseAck().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


def reply_tracker(domain, intent, exercise, done, loop="exercise_form", requested="exercise_ack"):
    """The tracker action_extract_slots sends for a reply while exercise_form waits."""
    return make_tracker(domain, intent=intent, active_loop=loop,
                        slots={"exercise": exercise, "exercise_step": done, "requested_slot": requested})


@pytest.mark.parametrize(
    "intent, exercise, done, expected",
    [
        # any reply moves one step on and clears the answer, so the form says the next step
        ("exercise_next", "grounding_54321", 0, {"exercise_ack": None, "exercise_step": 1.0}),
        ("out_of_scope", "grounding_54321", 1, {"exercise_ack": None, "exercise_step": 2.0}),
        ("affirm", "accepts", 6, {"exercise_ack": None, "exercise_step": 7.0}),
        # after the last step the form is complete
        ("exercise_next", "grounding_54321", 4,
         {"exercise_ack": "done", "exercise_step": 5.0, "exercise_outcome": "completed"}),
        ("exercise_next", "accepts", 7,
         {"exercise_ack": "done", "exercise_step": 8.0, "exercise_outcome": "completed"}),
        # stop ends it at once, wherever the person is
        ("exercise_stop", "box_breathing", 2, {"exercise_ack": "stopped", "exercise_outcome": "stopped"}),
        ("exercise_stop", "tipp", 0, {"exercise_ack": "stopped", "exercise_outcome": "stopped"}),
    ],
)
async def test_a_reply_moves_on_finishes_or_stops(domain, dispatcher, intent, exercise, done, expected):
    events = await ActionReadExerciseReply().run(dispatcher, reply_tracker(domain, intent, exercise, done), domain)
    assert slot_events(events) == expected
    assert dispatcher.messages == []


@pytest.mark.parametrize("loop, requested", [(None, None), ("pre_rating_form", "distress_before"),
                                             ("exercise_form", None)])
async def test_a_reply_outside_the_exercise_question_changes_nothing(domain, dispatcher, loop, requested):
    tracker = reply_tracker(domain, "exercise_next", "grounding_54321", 1, loop=loop, requested=requested)
    assert await ActionReadExerciseReply().run(dispatcher, tracker, domain) == []


async def test_the_reply_text_is_never_stored(domain, dispatcher):
    tracker = reply_tracker(domain, "out_of_scope", "grounding_54321", 4)
    events = await ActionReadExerciseReply().run(dispatcher, tracker, domain)
    assert "<the person's message>" not in slot_events(events).values()
    assert SlotSet("exercise_outcome", "completed") in events


async def test_a_pending_note_is_said_before_the_first_step(domain, dispatcher):
    tracker = make_tracker(domain, slots={"exercise": "box_breathing", "exercise_step": 0.0, "rating_note": "skipped"})
    events = await ActionAskExerciseAck().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_rating_skipped", "utter_box_breathing_step_1"]
    assert events == [SlotSet("rating_note", None)]


def test_risk_messages_never_reach_the_reply_mapping(domain):
    """Rasa skips the mapping for these intents, so exercise_form rejects them inside the Rasa server."""
    mapping = domain["slots"]["exercise_ack"]["mappings"][0]
    assert mapping["action"] == "action_read_exercise_reply"
    assert {"safety_crisis", "safety_emergency", "safety_check_in", "safety_third_party",
            "safety_abuse"} <= set(mapping["not_intent"])
    assert "validate_exercise_form" not in domain["actions"]


async def test_a_not_understood_note_the_rating_question_already_said_is_dropped_silently(domain, dispatcher):
    """"8" after "banana": the re-asked rating question said "I didn't catch that"; step 1 must not."""
    tracker = make_tracker(domain, slots={"exercise": "box_breathing", "exercise_step": 0.0,
                                          "rating_note": "not_understood"})
    events = await ActionAskExerciseAck().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_box_breathing_step_1"]
    assert events == [SlotSet("rating_note", None)]


def paused_tracker(domain, intent, exercise, done, pause=None):
    return make_tracker(domain, intent=intent, active_loop="exercise_form",
                        slots={"exercise": exercise, "exercise_step": done, "requested_slot": "exercise_ack",
                               "exercise_pause": pause})


@pytest.mark.parametrize("intent, kind", [("thank", "helped"), ("mood_better", "helped"),
                                          ("mood_anxious", "struggling"), ("mood_low", "struggling")])
@pytest.mark.parametrize("exercise", EXERCISES)
async def test_it_helped_partway_through_any_exercise_asks_whether_to_go_on(domain, dispatcher, intent, kind,
                                                                            exercise):
    """"thanks that helped a bit" (or "im still anxious") after a real step is not taken as "next": the
    step is not counted, and the person is asked whether to go on."""
    events = await ActionReadExerciseReply().run(dispatcher, paused_tracker(domain, intent, exercise, 1), domain)
    assert slot_events(events) == {"exercise_ack": None, "exercise_pause": kind}
    tracker = paused_tracker(domain, intent, exercise, 1, pause=kind)
    assert await ActionAskExerciseAck().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == [f"utter_exercise_pause_{kind}"]
    for variation in domain["responses"][f"utter_exercise_pause_{kind}"]:
        assert [b["payload"] for b in variation["buttons"]] == ["/exercise_next", "/exercise_stop"]


@pytest.mark.parametrize("intent, expected", [
    ("exercise_next", {"exercise_ack": None, "exercise_step": 3.0, "exercise_pause": None}),
    ("affirm", {"exercise_ack": None, "exercise_step": 3.0, "exercise_pause": None}),
    ("exercise_stop", {"exercise_ack": "stopped", "exercise_outcome": "stopped"}),
    ("deny", {"exercise_ack": "stopped", "exercise_outcome": "stopped"}),
    ("thank", {"exercise_ack": "stopped", "exercise_outcome": "stopped"}),
])
async def test_the_answer_to_go_on_or_stop_is_the_persons_choice(domain, dispatcher, intent, expected):
    tracker = paused_tracker(domain, intent, "box_breathing", 2, pause="helped")
    events = await ActionReadExerciseReply().run(dispatcher, tracker, domain)
    assert slot_events(events) == expected


@pytest.mark.parametrize("text, stops", [("done", True), ("im done", True), ("Done.", True), ("all done thanks", True),
                                         ("done, next one", False), ("next", False)])
async def test_done_as_the_answer_to_go_on_or_stop_means_stop(domain, dispatcher, text, stops):
    """"done" is exercise_next to the classifier; after "keep going, or stop here?" alone it means stop."""
    tracker = paused_tracker(domain, "exercise_next", "box_breathing", 2, pause="helped")
    tracker.latest_message["text"] = text
    events = slot_events(await ActionReadExerciseReply().run(dispatcher, tracker, domain))
    assert (events.get("exercise_ack") == "stopped") is stops


async def test_done_without_a_pause_is_the_next_step(domain, dispatcher):
    tracker = paused_tracker(domain, "exercise_next", "box_breathing", 2)
    tracker.latest_message["text"] = "done"
    assert slot_events(await ActionReadExerciseReply().run(dispatcher, tracker, domain))["exercise_step"] == 3.0


@pytest.mark.parametrize("done, expected", [
    (0, {"exercise_ack": None, "exercise_step": 1.0}),  # "ok thanks" at the introduction: ready
    (4, {"exercise_ack": "done", "exercise_step": 5.0, "exercise_outcome": "completed"}),  # last step: done
])
async def test_thanks_at_the_introduction_or_the_last_step_just_moves_on(domain, dispatcher, done, expected):
    events = await ActionReadExerciseReply().run(dispatcher, paused_tracker(domain, "thank", "box_breathing", done),
                                                 domain)
    assert slot_events(events) == expected


@pytest.mark.parametrize("exercise", ["box_breathing", "grounding_54321"])
async def test_that_helped_at_the_first_message_is_heard_too(domain, dispatcher, exercise):
    """'thanks that helped a bit' (mood_better) right after the first instruction: not talked over."""
    events = await ActionReadExerciseReply().run(dispatcher, paused_tracker(domain, "mood_better", exercise, 0),
                                                 domain)
    assert slot_events(events) == {"exercise_ack": None, "exercise_pause": "helped"}


@pytest.mark.parametrize("done", [0, 2, 4])
async def test_a_clinic_question_partway_through_is_answered_then_go_on_or_stop(domain, dispatcher, done):
    """"what are your opening hours" in the middle of box breathing: answered, not skipped over."""
    events = await ActionReadExerciseReply().run(
        dispatcher, paused_tracker(domain, "ask_clinic_hours", "box_breathing", done), domain)
    assert slot_events(events) == {"exercise_ack": None, "exercise_pause": "aside"}
    tracker = paused_tracker(domain, "ask_clinic_hours", "box_breathing", done, pause="aside")
    await ActionAskExerciseAck().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_clinic_hours", "utter_exercise_pause_aside"]
