"""Rasa's response generator, except that it does not say the same sentence twice in a row.

Why: a response with several variations is picked at random, so "so youre a bot?" after "are you a
real person" or a second "i have no friends" after "nobody texts me back" often got word for word the
reply the person had just read. To someone in distress that reads as a machine not listening. This
generator picks among the variations whose wording differs from the assistant's recent messages
(the same conditions and channels as Rasa's own; if every variation was said recently, the one said longest ago).
Nothing is written here: every word still comes from domain.yml. It also fills {abuse_lines} and
{abuse_resources_text} with the lines for the person being hurt (`with_abuse_lines_for_audience`).

Registered in the endpoints file Rasa reads (bot/build.py: `nlg: {type: bot.nlg.NoRepeatNLG}`).
"""
from __future__ import annotations

import copy
import random
from typing import Any, Dict, List, Optional, Text

from rasa.core.nlg.generator import ResponseVariationFilter
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.build import AUDIENCE_SLOTS, audience_slot

# How many of the assistant's latest messages a new one should not repeat.
RECENT_MESSAGES = 4


def recent_bot_texts(tracker: DialogueStateTracker, count: int = RECENT_MESSAGES) -> list[str]:
    """The assistant's latest messages, newest first."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and event.text:
            texts.append(event.text)
            if len(texts) >= count:
                break
    return texts


def least_recent(candidates: list[Dict[Text, Any]], recent: list[str]) -> list[Dict[Text, Any]]:
    """The candidates said longest ago (never, if any were never said recently)."""
    def age(response: Dict[Text, Any]) -> int:
        text = response.get("text")
        return recent.index(text) if text in recent else len(recent)
    oldest = max(age(r) for r in candidates)
    return [r for r in candidates if age(r) == oldest]


def with_abuse_lines_for_audience(slots: Dict[Text, Any]) -> Dict[Text, Any]:
    """The slots, with {abuse_lines} and {abuse_resources_text} naming the lines for whoever is being hurt when a
    disclosure said (slot `abuse_audience`: "child" -> `abuse_lines_child`, bot/build.py), so a sentence such as
    "{abuse_lines} can help" names the child line to a child and the elder-abuse line to an older person. The words
    are still the locale's resource file's; only which of them, and in which order."""
    audience = slots.get("abuse_audience")
    if not audience:
        return slots
    specific = {name: slots.get(audience_slot(name, audience)) for name in AUDIENCE_SLOTS}
    return {**slots, **{name: value for name, value in specific.items() if value}}


class NoRepeatNLG(TemplatedNaturalLanguageGenerator):
    """TemplatedNaturalLanguageGenerator that prefers a variation not said in the last few messages."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None,
                 responses: Optional[Dict[Text, List[Dict[Text, Any]]]] = None) -> None:
        super().__init__(responses if responses is not None else (domain.responses if domain else {}))

    async def generate(self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        filled_slots = with_abuse_lines_for_audience(tracker.current_slot_values())
        if utter_action not in self.responses:
            return None
        suitable = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots)
        if not suitable:
            return None
        filled = [self._fill_response(copy.deepcopy(r), filled_slots, **kwargs) for r in suitable]
        return random.choice(least_recent(filled, recent_bot_texts(tracker)))
