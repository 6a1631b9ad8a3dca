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
  "idk" hears there is no wrong choice; "skip", "none", or a second reply that picks nothing, hears
  that there is no need to pick one (the buttons stay); a longer message the classifier could not
  place gets the usual "I didn't follow" (utter_default);
- with no menu just before ("that one" out of the blue) it says what the usual rules would.
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

from actions.rating_parser import RatingKind, parse_rating
from actions.tracker_helpers import latest_intent

UNCLEAR = "utter_menu_pick_unclear"
# "idk", "not sure", "you choose": no wrong choice, start anywhere (with the same buttons).
UNSURE = "utter_menu_pick_unsure"
UNSURE_WORDS = {"idk", "dunno", "unsure", "whatever", "anything", "any", "choose", "pick", "surprise", "decide"}
# "skip", "none", "neither": the person wants none of them; also said for a second reply that picks nothing.
NONE_WORDS = {"skip", "none", "neither", "nothing", "nah", "pass"}
LET_GO = "utter_menu_pick_let_go"
# No menu just before (e.g. "that one" out of the blue): what the usual rules would have said.
WITHOUT_MENU = {"choose_skill": "utter_skill_menu", "nlu_fallback": "utter_default"}
DEFAULT_WITHOUT_MENU = "utter_listen"
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


def previous_turn_bot_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot messages between the person's previous message and the current one, oldest first."""
    found: list[dict[str, Any]] = []
    users = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot" and users == 1:
            found.append(event)
    return list(reversed(found))


def last_menu(tracker: Tracker) -> list[Button]:
    """The buttons of the menu the assistant showed just before this message, numbered as shown (or by
    position); [] when it showed none (an exercise's next/stop buttons are not a menu)."""
    for event in reversed(previous_turn_bot_events(tracker)):
        buttons = ((event.get("data") or {}).get("buttons")) or []
        if not buttons or all(str(b.get("payload", "")).startswith("/exercise_") for b in buttons):
            continue
        menu = []
        for position, button in enumerate(buttons, start=1):
            title, payload = str(button.get("title") or ""), str(button.get("payload") or "")
            shown = TITLE_NUMBER.match(title)
            menu.append(Button(int(shown.group(1)) if shown else position, title, payload))
        return menu
    return []


def asked_again_already(tracker: Tracker) -> bool:
    """Was the menu just shown the short re-ask (so this is the second reply that picked nothing)?"""
    return any(((e.get("metadata") or {}).get("utter_action")) in (UNCLEAR, UNSURE)
               for e in previous_turn_bot_events(tracker))


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
        text, intent = message.get("text") or "", latest_intent(tracker)
        if not menu:
            dispatcher.utter_message(response=WITHOUT_MENU.get(intent or "", DEFAULT_WITHOUT_MENU))
            return []
        button = choose(text, menu, intent)
        parsed = parse_payload(button.payload) if button else None
        if parsed is None:
            dispatcher.utter_message(**self._no_choice(text, intent, menu, tracker))
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

    @staticmethod
    def _no_choice(text: str, intent: Optional[str], menu: list[Button], tracker: Tracker) -> dict[str, Any]:
        """What to say when the reply picks no single item: the response and the menu's buttons again."""
        buttons = [{"title": b.title, "payload": b.payload} for b in menu]
        said = set(words(text))
        if said & NONE_WORDS or asked_again_already(tracker):
            return {"response": LET_GO, "buttons": buttons}  # no pressure; the buttons stay there
        if intent == "nlu_fallback" and len(said) > MAX_CHOICE_WORDS:
            return {"response": NOT_A_CHOICE}
        if said & UNSURE_WORDS or parse_rating(text).kind is RatingKind.UNSURE:
            return {"response": UNSURE, "buttons": buttons}
        return {"response": UNCLEAR, "buttons": buttons}
