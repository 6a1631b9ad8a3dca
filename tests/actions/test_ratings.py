"""Reading the 0-10 answers, asking again kindly, and reflecting the change honestly."""
import pytest
from rasa_sdk.events import SlotSet

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet as SlotSet_
from rasa.shared.core.trackers import DialogueStateTracker

from actions.ratings import ActionReadRating, ActionReflectRating
from tests.actions.conftest import make_tracker, responses, slot_events, user_event

FORMS = [("pre_rating_form", "distress_before"), ("post_rating_form", "distress_after")]


def answer_tracker(domain, form, slot, intent, text):
    """The tracker action_extract_slots sends for an answer while a rating form waits."""
    return make_tracker(domain, events=[user_event(intent, text=text)], active_loop=form,
                        slots={"requested_slot": slot})


CASES = [
    # (intent, answer, stored value, note for the next question)
    ("inform_rating", "7", 7, None),
    ("inform_rating", "seven", 7, None),
    ("inform_rating", "about 7/10", 7, None),
    ("inform_rating", "a 6 maybe", 6, None),
    ("inform_rating", "7.5", 8, None),
    ("inform_rating", "idk", "unsure", None),
    ("inform_rating", "not sure", "unsure", None),
    ("nlu_fallback", "skip", "skipped", "skipped"),
    ("nlu_fallback", "banana", None, "not_understood"),
    ("inform_rating", "12", None, "not_understood"),
    ("greet", "hello?", None, "not_understood"),
    ("exercise_stop", "stop, its a 3 now", 3, None),  # a number wins over the stop intent
]


@pytest.mark.parametrize("form, slot", FORMS)
@pytest.mark.parametrize("intent, answer, value, note", CASES)
async def test_reads_the_answer(domain, dispatcher, form, slot, intent, answer, value, note):
    events = await ActionReadRating().run(dispatcher, answer_tracker(domain, form, slot, intent, answer), domain)
    expected = {slot: value, **({"rating_note": note} if note else {})}
    assert slot_events(events) == expected
    assert dispatcher.messages == []  # Rasa drops messages from slot mappings; the note is said later


@pytest.mark.parametrize("form, slot, note", [("pre_rating_form", "distress_before", "skipped"),
                                              ("post_rating_form", "distress_after", None)])
@pytest.mark.parametrize("intent, answer", [("exercise_next", "done"), ("affirm", "ok")])
async def test_a_second_answer_it_cannot_read_moves_on_without_a_number(domain, dispatcher, form, slot, note,
                                                                         intent, answer):
    """Asked once more after "done"; a second "ok" is not asked a third time. Before the exercise the
    first step says "we can skip the number"; after it, the reflection says it without numbers."""
    tracker = make_tracker(domain, events=[user_event(intent, text=answer)], active_loop=form,
                           slots={"requested_slot": slot, "rating_note": "not_understood"})
    events = await ActionReadRating().run(dispatcher, tracker, domain)
    assert slot_events(events) == {slot: "skipped", "rating_note": note}


async def test_stop_at_the_first_rating_ends_the_exercise_before_it_starts(domain, dispatcher):
    tracker = answer_tracker(domain, "pre_rating_form", "distress_before", "exercise_stop", "i dont want to do this")
    events = await ActionReadRating().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"distress_before": "skipped", "exercise_outcome": "stopped"}


async def test_no_at_the_first_rating_means_no_exercise(domain, dispatcher):
    tracker = answer_tracker(domain, "pre_rating_form", "distress_before", "deny", "nah")
    events = await ActionReadRating().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"distress_before": "skipped", "exercise_outcome": "stopped"}


async def test_stop_at_the_second_rating_skips_the_number(domain, dispatcher):
    tracker = answer_tracker(domain, "post_rating_form", "distress_after", "exercise_stop", "stop")
    events = await ActionReadRating().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"distress_after": "skipped", "rating_note": "skipped"}


@pytest.mark.parametrize("form, requested", [(None, None), ("exercise_form", "exercise_ack"),
                                             ("pre_rating_form", None)])
async def test_outside_a_rating_question_nothing_is_read(domain, dispatcher, form, requested):
    tracker = make_tracker(domain, events=[user_event("inform_rating", text="7")], active_loop=form,
                           slots={"requested_slot": requested})
    assert await ActionReadRating().run(dispatcher, tracker, domain) == []


@pytest.mark.parametrize("slot", ["distress_before", "distress_after"])
def test_risk_messages_never_reach_the_rating_mapping(domain, slot):
    mapping = domain["slots"][slot]["mappings"][0]
    assert mapping["action"] == "action_read_rating"
    assert {"safety_crisis", "safety_emergency", "safety_check_in", "safety_third_party",
            "safety_abuse"} <= set(mapping["not_intent"])


async def rasa_says(domain, response, slots):
    """The text Rasa's own NLG produces for `response` with these slots (what the form's question says)."""
    rasa_domain = Domain.from_dict(domain)
    tracker = DialogueStateTracker.from_events(
        "test-sender", [SlotSet_(name, value) for name, value in slots.items()], slots=rasa_domain.slots
    )
    generated = await TemplatedNaturalLanguageGenerator(rasa_domain.responses).generate(response, tracker, "rest")
    return generated["text"]


@pytest.mark.parametrize("question", ["utter_ask_distress_before", "utter_ask_distress_after"])
async def test_asks_again_kindly(domain, question):
    """The forms ask with the response itself (no action-server call); after an answer it could not read,
    the question apologises and asks for the number again."""
    for _ in range(10):  # variations are chosen at random
        first = await rasa_says(domain, question, {"rating_note": None})
        assert "how strong is the distress" in first
        assert "catch" not in first and "got that" not in first
        again = await rasa_says(domain, question, {"rating_note": "not_understood"})
        assert "0 to 10" in again and "skip" in again
        # one short message, not the whole question again
        assert "how strong is the distress" not in again and len(again.split()) <= 16


def test_the_rating_questions_are_responses_not_action_server_calls(domain):
    actions = {name for entry in domain["actions"] for name in ([entry] if isinstance(entry, str) else entry)}
    assert not {"action_ask_distress_before", "action_ask_distress_after"} & actions
    assert {"utter_ask_distress_before", "utter_ask_distress_after"} <= set(domain["responses"])


@pytest.mark.parametrize(
    "before, after, response, numbers",
    [
        (8, 6, "utter_rating_went_down", (8, 6)),
        (10, 0, "utter_rating_went_down", (10, 0)),
        (5, 5, "utter_rating_same", (5, 5)),
        (0, 0, "utter_rating_same", (0, 0)),
        (3, 7, "utter_rating_went_up", (3, 7)),
        (8.0, 6.0, "utter_rating_went_down", (8, 6)),
        ("unsure", 6, "utter_rating_no_numbers", None),
        (7, "unsure", "utter_rating_no_numbers", None),
        (7, "skipped", "utter_rating_no_numbers", None),
        ("skipped", "skipped", "utter_rating_no_numbers", None),
        (None, None, "utter_rating_no_numbers", None),
    ],
)
async def test_reflect_rating(domain, dispatcher, before, after, response, numbers):
    tracker = make_tracker(domain, slots={"distress_before": before, "distress_after": after})
    assert await ActionReflectRating().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == [response]
    message = dispatcher.messages[0]
    if numbers is None:
        assert "distress_before" not in message and "distress_after" not in message  # no numbers invented
    else:
        assert (message["distress_before"], message["distress_after"]) == numbers


async def test_a_skipped_second_rating_is_acknowledged_before_the_reflection(domain, dispatcher):
    tracker = make_tracker(domain, slots={"distress_before": 6, "distress_after": "skipped", "rating_note": "skipped"})
    events = await ActionReflectRating().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_rating_skipped", "utter_rating_no_numbers"]
    assert events == [SlotSet("rating_note", None)]
