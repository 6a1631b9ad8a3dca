"""The response generator never repeats, word for word, what the assistant just said (when it can)."""
import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import NoRepeatNLG

RESPONSES = {"utter_listen": [{"text": "Okay. I'm here and I'm listening."}, {"text": "I'm here with you."}],
             "utter_only": [{"text": "The one wording."}]}


def say(nlg, tracker, action):
    reply = asyncio.run(nlg.generate(action, tracker, "rest"))
    tracker.update(BotUttered(reply["text"]))
    return reply["text"]


def test_a_response_with_two_wordings_alternates_instead_of_repeating():
    nlg = NoRepeatNLG(domain=Domain.from_dict({"responses": RESPONSES}))
    tracker = DialogueStateTracker("someone", [])
    said = [say(nlg, tracker, "utter_listen") for _ in range(6)]
    assert all(a != b for a, b in zip(said, said[1:]))


def test_a_single_wording_is_still_said_again():
    nlg = NoRepeatNLG(domain=Domain.from_dict({"responses": RESPONSES}))
    tracker = DialogueStateTracker("someone", [])
    assert [say(nlg, tracker, "utter_only") for _ in range(2)] == ["The one wording."] * 2


def test_unknown_responses_give_nothing():
    nlg = NoRepeatNLG(domain=Domain.from_dict({"responses": RESPONSES}))
    assert asyncio.run(nlg.generate("utter_nothing", DialogueStateTracker("x", []), "rest")) is None



def test_the_abuse_lines_named_are_those_for_whoever_is_being_hurt():
    """{abuse_lines} names the child line to a child (slot abuse_audience, set with an abuse disclosure),
    and every abuse line when nobody said who."""
    from rasa.shared.core.events import SlotSet

    responses = {"utter_help": [{"text": "{abuse_lines} can help."}]}
    nlg = NoRepeatNLG(domain=Domain.from_dict({"responses": responses}))
    slots = {"abuse_lines": "Child line and Adult line", "abuse_lines_child": "Child line",
             "abuse_lines_adult": "Adult line", "abuse_lines_older_adult": "Adult line", "abuse_audience": None}
    domain = Domain.from_dict({"responses": responses, "slots": {
        name: {"type": "text", "mappings": [{"type": "custom"}]} for name in slots}})
    tracker = DialogueStateTracker.from_events("someone", [SlotSet(k, v) for k, v in slots.items()], domain.slots)
    assert asyncio.run(nlg.generate("utter_help", tracker, "rest"))["text"] == "Child line and Adult line can help."
    tracker.update(SlotSet("abuse_audience", "child"))
    assert asyncio.run(nlg.generate("utter_help", tracker, "rest"))["text"] == "Child line can help."
