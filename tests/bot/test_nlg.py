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

