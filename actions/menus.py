"""A menu answered by typing instead of tapping: "5", "box", "the first one", "ok".

Why one action for every menu: a menu is a response with buttons (utter_skill_menu, the therapy
options, ...), and a person who types instead of tapping means one of those buttons. This action reads
the buttons of the menu just shown (from the tracker, so a new menu in domain.yml needs no code) and:
- when the reply names exactly one of them (its visible number, an ordinal, or words of its title),
  replays that button's payload as the person's message, the way Rasa's own two-stage fallback
  replays an affirmed intent: the typed message is rewound and a message with the button's intent and
  entities takes its place. The same rules that handle a tap then run, so there is nothing to keep in
  step. The replayed message has no text: the person's own words stay in the transcript once;
- otherwise (nothing or several match, e.g. "breathing") asks once, briefly, with the same buttons;
  a longer message the classifier could not place gets the usual "I didn't follow" (utter_default).
Only ordinary replies reach it (data/rules/menus.yml names the intents); risk messages never do.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUttered, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker_helpers import latest_intent

UNCLEAR = "utter_menu_pick_unclear"
# A longer message the classifier could not place is probably not a menu choice at all: the usual
# "I didn't follow" reply (which also names the crisis line), not "which one?".
NOT_A_CHOICE = "utter_default"
MAX_CHOICE_WORDS = 3
# Visible numbering of a button title: "5. 5-4-3-2-1 grounding" -> 5.
TITLE_NUMBER = re.compile(r"^\s*(\d+)[.)]\s*")
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
}
# Words that say nothing about which item: "lets do the box one please" -> "box".
FILLER = {
    "the", "a", "an", "one", "ones", "option", "number", "no", "nr", "num", "pls", "please", "plz",
    "lets", "let", "let's", "do", "try", "i", "ill", "i'll", "id", "i'd", "like", "want", "to", "go",
    "with", "for", "me", "that", "this", "maybe", "um", "uh", "hmm", "ok", "okay", "k", "yes", "yeah",
    "sure", "is", "it", "can", "we", "you", "choose", "pick", "take", "and",
}
# Affirmations pick the item only when the menu has exactly one ("Tell me about the therapies").
AFFIRM_INTENTS = {"affirm", "exercise_next"}


@dataclass(frozen=True)
class Button:
    number: int
    title: str
    payload: str


def last_menu(tracker: Tracker) -> list[Button]:
    """The buttons of the latest bot message that had any, numbered as shown (or by position)."""
    for event in reversed(tracker.events or []):
        if event.get("event") != "bot":
            continue
        buttons = ((event.get("data") or {}).get("buttons")) or []
        if not buttons:
            continue
        menu = []
        for position, button in enumerate(buttons, start=1):
            title, payload = str(button.get("title") or ""), str(button.get("payload") or "")
            shown = TITLE_NUMBER.match(title)
            menu.append(Button(int(shown.group(1)) if shown else position, title, payload))
        return menu
    return []


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9'\-]*", text.lower())


def title_words(title: str) -> set[str]:
    """A title's words without its number, and each hyphenated part too ("self-soothe" -> self, soothe)."""
    found: set[str] = set()
    for word in words(TITLE_NUMBER.sub("", title)):
        found.add(word)
        found.update(part for part in word.split("-") if part)
    return found


def choose(text: Optional[str], menu: list[Button], intent: Optional[str] = None) -> Optional[Button]:
    """The one button the reply names, or None when it names none or several."""
    if not menu:
        return None
    said = words(text or "")
    core = [w for w in said if w not in FILLER]
    if not core:
        if "one" in said and len(said) <= 2:  # "one", "number one"
            core = ["1"]
        else:  # "ok", "yes": only a one-item menu has an obvious answer
            return menu[0] if len(menu) == 1 and intent in AFFIRM_INTENTS else None
    # A number or ordinal on its own ("5", "#2", "the 3rd one", "number four", "the last one").
    numbers = [int(w) if w.isdigit() else ORDINALS.get(w, menu[-1].number if w == "last" else None)
               for w in core]
    if len(core) == 1 and numbers[0] is not None:
        by_number = [b for b in menu if b.number == numbers[0]]
        return by_number[0] if len(by_number) == 1 else None
    # Words of exactly one title ("box", "paced breathing", "soothe", "dbt", "5-4-3-2-1").
    matching = [b for b in menu if all(_in_title(w, b.title) for w in core)]
    return matching[0] if len(matching) == 1 else None


def _in_title(word: str, title: str) -> bool:
    known = title_words(title)
    return word in known or any(len(word) >= 4 and part.startswith(word) for part in known)


def parse_payload(payload: str) -> Optional[tuple[str, list[dict[str, Any]]]]:
    """'/choose_skill{"skill":"tipp"}' -> ("choose_skill", [{"entity": "skill", "value": "tipp"}])."""
    match = re.fullmatch(r"/([A-Za-z0-9_]+)(\{.*\})?", payload.strip())
    if not match:
        return None
    entities: list[dict[str, Any]] = []
    if match.group(2):
        try:
            values = json.loads(match.group(2))
        except ValueError:
            return None
        if not isinstance(values, dict):
            return None
        entities = [{"entity": str(k), "value": v} for k, v in values.items()]
    return match.group(1), entities


class ActionPickMenuItem(Action):
    """Replays the button the typed reply names, or asks once which one, with the same buttons."""

    def name(self) -> str:
        return "action_pick_menu_item"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        menu = last_menu(tracker)
        message = tracker.latest_message or {}
        button = choose(message.get("text"), menu, latest_intent(tracker))
        parsed = parse_payload(button.payload) if button else None
        if parsed is None and latest_intent(tracker) == "nlu_fallback" \
                and len(words(message.get("text") or "")) > MAX_CHOICE_WORDS:
            dispatcher.utter_message(response=NOT_A_CHOICE)
            return []
        if parsed is None:
            buttons = [{"title": b.title, "payload": b.payload} for b in menu]
            dispatcher.utter_message(response=UNCLEAR, buttons=buttons or None)
            return []
        intent, entities = parsed
        parse_data = {
            "intent": {"name": intent, "confidence": 1.0},
            "intent_ranking": [{"name": intent, "confidence": 1.0}],
            "entities": entities,
            "text": "",
        }
        return [
            UserUtteranceReverted(),
            ActionExecuted("action_listen"),
            UserUttered(text="", parse_data=parse_data, input_channel=message.get("input_channel")),
        ]
