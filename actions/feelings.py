"""Reflect a feeling back before offering anything.

Why an action rather than one response per intent: the reflection should use the person's own word
("It sounds like you're feeling panicky") when they gave one, and a gentle default otherwise. The
defaults are data (feelings.yml), the wording is in domain.yml (utter_reflect_<intent>).
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_helpers import entity_values, latest_intent

logger = logging.getLogger(__name__)

DEFAULTS_FILE = Path(__file__).with_name("feelings.yml")


@lru_cache(maxsize=1)
def default_feelings() -> dict[str, str]:
    """Intent -> the feeling word used when the person named none."""
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8")) or {}
    return {str(intent): str(word) for intent, word in data.items()}


def feeling_word(intent: str, named: list[str]) -> str:
    """The person's own feeling words (at most two: "sad and anxious"), else the intent's default."""
    if named:
        return " and ".join(named[:2])
    return default_feelings()[intent]


class ActionReflectFeeling(Action):
    """Says utter_reflect_<intent> with the feeling word, and keeps that word in the slot emotion."""

    def name(self) -> str:
        return "action_reflect_feeling"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        if intent not in default_feelings():
            # A rule sent another intent here; say nothing rather than reflect the wrong feeling.
            logger.warning("action_reflect_feeling: no reflection for intent %s", intent)
            return []
        word = feeling_word(intent, entity_values(tracker, "emotion"))
        dispatcher.utter_message(response=f"utter_reflect_{intent}", emotion=word)
        return [SlotSet("emotion", word)]
