"""action_reflect_feeling: the person's own feeling word, else a gentle default, in utter_reflect_<intent>."""
import pytest
import yaml

from actions.feelings import ActionReflectFeeling, DEFAULTS_FILE
from rasa_sdk.events import SlotSet
from tests.actions.conftest import entity, make_tracker, responses

FEELING_INTENTS = ["mood_low", "mood_anxious", "mood_overwhelmed", "mood_lonely", "mood_angry", "mood_numb",
                   "mood_ashamed", "sleep_problems", "mood_better", "grief"]


@pytest.mark.parametrize(
    "intent, words, expected_word",
    [
        ("mood_anxious", ["panicky"], "panicky"),
        ("mood_low", [], "low"),
        ("mood_low", ["sad", "anxious"], "sad and anxious"),
        ("mood_low", ["sad", "sad"], "sad"),
        ("mood_overwhelmed", [], "overwhelmed"),
        ("mood_lonely", ["left out"], "left out"),
        ("mood_angry", [], "angry"),
        ("mood_numb", ["empty"], "empty"),
        ("mood_ashamed", [], "ashamed"),
        ("sleep_problems", [], "exhausted"),
        ("mood_better", ["calmer"], "calmer"),
        ("mood_better", [], "a bit better"),
        ("grief", [], "sad"),
    ],
)
async def test_reflects_the_feeling_named_or_a_default(domain, dispatcher, intent, words, expected_word):
    tracker = make_tracker(domain, intent=intent, entities=[entity("emotion", w) for w in words])
    events = await ActionReflectFeeling().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [f"utter_reflect_{intent}"]
    assert dispatcher.messages[0]["emotion"] == expected_word
    assert events == [SlotSet("emotion", expected_word)]


async def test_other_entities_are_not_taken_for_feelings(domain, dispatcher):
    tracker = make_tracker(domain, intent="mood_anxious", entities=[entity("skill", "box_breathing")])
    await ActionReflectFeeling().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["emotion"] == "anxious"


async def test_an_intent_without_a_reflection_says_nothing(domain, dispatcher):
    tracker = make_tracker(domain, intent="greet")
    assert await ActionReflectFeeling().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


def test_every_feeling_intent_has_a_default_word_and_a_reflection(domain):
    defaults = yaml.safe_load(DEFAULTS_FILE.read_text())
    assert sorted(defaults) == sorted(FEELING_INTENTS)
    for intent in FEELING_INTENTS:
        variations = domain["responses"][f"utter_reflect_{intent}"]
        assert len(variations) >= 2
        assert all("{emotion}" in v["text"] for v in variations)
