"""Reflect a feeling back before offering anything.

Why an action rather than one response per intent: the reflection should use the person's own word
("It sounds like you're feeling panicky") when they gave one, and a gentle default otherwise. The
defaults are data (feelings.yml), the wording is in domain.yml (utter_reflect_<intent>).

A reflection ends either with an open question (utter_reflect_<intent>: "What's been weighing on you
most?"; utter_reflect_<intent>_told when the message already said what brought it on, "low since my divorce":
"What's been the hardest part of it?", cause_words.yml) or with an exercise offered
(utter_reflect_<intent>_offer: "Would it help to try a short calming exercise together?"). They are separate
responses, chosen here, and the slot reflection_asked says which was said: a "yes" / "yeah pretty much" then
starts the menu only after an offer, and after an open question gets a listening reply that invites more
(data/rules/feelings.yml). A feeling with no offer
response (feeling better, grief) always gets the open question. An offer the person let pass is not made
again at once: after an offer, the next reflections ask (OFFER_GAP), so someone who keeps talking is
listened to rather than offered an exercise every other message. The same feeling told again soon after
(MORE_GAP) is not reflected with the same words: utter_reflect_<intent>_more goes on from it.
Missing someone is not always a bereavement: "i just miss her" after a breakup is read as grief by the
classifier, and "I'm so sorry for your loss" is wrong there. Grief is reflected as a loss only when this
conversation has named one (died, passed, funeral...: data for content designers, actions/loss_words.yml);
otherwise the reply fits both a loss and a breakup (MISSING_SOMEONE). Issue 12, seams from a Chromium walk.
The first reflection of a conversation always asks: a person who has just said "my girlfriend left me" is
listened to before anything is offered (issue 12, a Chromium walk: the breakup's first reply offered an exercise).
Anxiety at its height (the entity ACUTE_ENTITY: "i'm having a panic attack", "i can't breathe") is met
with the exercise offered at once, whatever was offered before: asking someone mid-panic what has been on
their mind is the wrong order.
"""
from __future__ import annotations

import logging
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_helpers import entity_values, latest_intent, user_events

logger = logging.getLogger(__name__)

DEFAULTS_FILE = Path(__file__).with_name("feelings.yml")

#: Values of the slot reflection_asked: what the reflection ended with.
OPEN_QUESTION = "open_question"
EXERCISE_OFFER = "exercise_offer"
#: Anxiety at its height ("im having a panic attack"): a breathing exercise offered, so a "yes" opens the two
#: breathing exercises, not the menu of eight (data/rules/feelings.yml; issue 12, conversations read on 6 Dec).
BREATHING_OFFER = "breathing_offer"
OFFERS = {EXERCISE_OFFER, BREATHING_OFFER}
#: An exercise is offered at most once in this many reflections in a row.
OFFER_GAP = 3
#: The same feeling reflected within this many reflections is not named again: the reflection goes on
#: (utter_reflect_<intent>_more) instead of saying "Feeling anxious can wear you out" twice in a row.
MORE_GAP = 2
#: Words by which a message names a death or a loss (LOSS_WORDS_FILE, edited by content designers); grief is
#: reflected as a loss only once one was named in this conversation. Read in memory, never logged.
LOSS_WORDS_FILE = Path(__file__).with_name("loss_words.yml")
#: Words by which a message says what brought the feeling on (data for content designers, actions/cause_words.yml).
CAUSE_WORDS_FILE = Path(__file__).with_name("cause_words.yml")
#: The open question said when the latest message already told the cause ("low since my divorce"): it builds on it.
TOLD_SUFFIX = "_told"
#: The reflection for missing someone when no loss was named: fits a breakup and a bereavement alike.
MISSING_SOMEONE = "utter_reflect_missing_someone"
GRIEF = "grief"
#: Entity (a regex in data/nlu/feelings.yml) marking anxiety at its height.
ACUTE_ENTITY = "acute_anxiety"
#: The reflection for anxiety at its height: a breathing exercise offered (reflection_asked = BREATHING_OFFER).
ACUTE_OFFER = "utter_reflect_acute_offer"


@lru_cache(maxsize=1)
def default_feelings() -> dict[str, str]:
    """Intent -> the feeling word used when the person named none."""
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8")) or {}
    return {str(intent): str(word) for intent, word in data.items()}


class WordListError(ValueError):
    """A word list (loss_words.yml, cause_words.yml) is not a non-empty list of words under `words`."""


def words_pattern(words: list[str]) -> re.Pattern[str]:
    """One case-insensitive regex for the words: whole words, a space matching any spaces, a final `*` any ending."""
    parts = []
    for word in words:
        word = str(word).strip().lower()
        if not word or word == "*":
            raise WordListError(f"an empty word ({word!r}) in a word list")
        ending = r"\w*" if word.endswith("*") else ""
        parts.append(r"\s+".join(re.escape(piece) for piece in word.rstrip("*").split()) + ending)
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)


def load_word_list(path: Path = LOSS_WORDS_FILE) -> re.Pattern[str]:
    """The regex of the words listed in path (loss_words.yml, cause_words.yml: the same format)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = data.get("words") if isinstance(data, dict) else None
    if not isinstance(words, list) or not words:
        raise WordListError(f"{path.name}: expected a non-empty list under `words`")
    return words_pattern(words)


@lru_cache(maxsize=1)
def loss_words() -> re.Pattern[str]:
    """The loss words of loss_words.yml, read once per action server."""
    return load_word_list()


@lru_cache(maxsize=1)
def cause_words() -> re.Pattern[str]:
    """The cause words of cause_words.yml, read once per action server."""
    return load_word_list(CAUSE_WORDS_FILE)


def cause_told(tracker: Tracker) -> bool:
    """Whether the latest message says what brought the feeling on (cause_words.yml; read, never stored)."""
    return bool(cause_words().search(str((tracker.latest_message or {}).get("text") or "")))


def feeling_word(intent: str, named: list[str]) -> str:
    """The person's own feeling words (at most two: "sad and anxious"), else the intent's default."""
    if named:
        return " and ".join(named[:2])
    return default_feelings()[intent]


def offer_response(intent: str) -> str:
    return f"utter_reflect_{intent}_offer"


def reflections_said(tracker: Tracker) -> list[str]:
    """What each reflection of this conversation ended with (slot reflection_asked), oldest first."""
    return [e.get("value") for e in tracker.events
            if e.get("event") == "slot" and e.get("name") == "reflection_asked" and e.get("value")]


def recently_offered(said: list[str], gap: int = OFFER_GAP) -> bool:
    """Whether one of the last gap - 1 reflections (reflections_said) offered an exercise."""
    return bool(OFFERS & set(said[-(gap - 1):]))


def more_response(intent: str) -> str:
    return f"utter_reflect_{intent}_more"


def recently_reflected(tracker: Tracker, intent: str, gap: int = MORE_GAP) -> bool:
    """Whether one of the last `gap` reflections of this conversation reflected the same feeling intent."""
    reflected, last_intent = [], None
    for event in tracker.events:
        if event.get("event") == "user":
            last_intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        elif event.get("event") == "action" and event.get("name") == ActionReflectFeeling.NAME:
            reflected.append(last_intent)
    return intent in reflected[-gap:]


def loss_named(tracker: Tracker) -> bool:
    """Whether a message of this conversation (the latest included) names a death or a loss."""
    pattern = loss_words()
    return any(pattern.search(event.get("text") or "") for event in user_events(tracker))


def has_response(name: str, domain: dict[str, Any]) -> bool:
    """Whether the domain (sent with this action: send_domain in domain.yml) has the response."""
    return name in ((domain or {}).get("responses") or {})


def has_offer(intent: str, domain: dict[str, Any]) -> bool:
    """Whether the domain has an offer for the feeling."""
    return has_response(offer_response(intent), domain)


class ActionReflectFeeling(Action):
    """Says utter_reflect_<intent> (open question) or utter_reflect_<intent>_offer (an exercise offered) with
    the feeling word, keeps that word in the slot emotion and which one was said in reflection_asked."""

    #: Half the reflections offer an exercise, as when both were variations of one response.
    #: An attribute so tests can fix the choice.
    choose_offer = staticmethod(lambda: random.random() < 0.5)

    NAME = "action_reflect_feeling"

    def name(self) -> str:
        return self.NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        if intent not in default_feelings():
            # A rule sent another intent here; say nothing rather than reflect the wrong feeling.
            logger.warning("action_reflect_feeling: no reflection for intent %s", intent)
            return []
        named = entity_values(tracker, "emotion")
        word = feeling_word(intent, named)
        new_word = bool(named) and word != tracker.get_slot("emotion")
        acute = bool(entity_values(tracker, ACUTE_ENTITY))
        if intent == GRIEF and not loss_named(tracker) and has_response(MISSING_SOMEONE, domain):
            dispatcher.utter_message(response=MISSING_SOMEONE)
            return [SlotSet("reflection_asked", OPEN_QUESTION)]
        if not acute and not new_word and recently_reflected(tracker, intent) \
                and has_response(more_response(intent), domain):
            dispatcher.utter_message(response=more_response(intent))
            return [SlotSet("reflection_asked", OPEN_QUESTION)]
        if acute and has_response(ACUTE_OFFER, domain):
            dispatcher.utter_message(response=ACUTE_OFFER, emotion=word)
            return [SlotSet("emotion", word), SlotSet("reflection_asked", BREATHING_OFFER)]
        # listened to first: no offer at a conversation's first reflection, nor soon after another offer
        said = reflections_said(tracker)
        offer = has_offer(intent, domain) and (
            acute or (bool(said) and not recently_offered(said) and self.choose_offer()))
        response = offer_response(intent) if offer else f"utter_reflect_{intent}"
        if not offer and cause_told(tracker) and has_response(response + TOLD_SUFFIX, domain):
            response += TOLD_SUFFIX
        dispatcher.utter_message(response=response, emotion=word)
        return [SlotSet("emotion", word), SlotSet("reflection_asked", EXERCISE_OFFER if offer else OPEN_QUESTION)]
