"""The safety plan (Stanley-Brown), built one step per message in the person's own words.

Why a custom slot mapping (action_read_plan_answer) and no validate_safety_plan_form action: a form
calls its validation action on every message while it is active, so with the action server down a
risk message typed inside the plan would get no reply at all (docs/conversation-design.md). Mappings
skip the risk intents (`not_intent` in domain.yml) and Rasa tolerates their failure: for a risk
answer the form rejects inside the Rasa server and the safety rules answer.

What this action decides for the requested plan slot (only while safety_plan_form asks for it):
- the answer itself, verbatim (outer whitespace trimmed): the person's words, never reworded;
- "" for a skipped step ("skip", "not sure", the "Skip this step" button: actions/safety_plan.yml);
- nothing for "stop" / "can we just talk" when that is the whole reply (the form rejects and a rule
  pauses the plan, keeping what was written); a longer message ("talk to my mum") is an answer;
- step 6 (making the surroundings safer) is about means, and step 1 (warning signs) about the thoughts
  before a crisis, so the safety check flags many honest answers ("I'll give my pills to my sister",
  "when I start thinking about killing myself"). Such an answer fills the slot only when every category
  of its assessment is one that step expects (step 1: only once the crisis reply was given); anything
  else (intent, timing, a plan, an emergency) is left unfilled, the form rejects, and the crisis rules
  escalate.
- plan_complete: true once all six steps are answered or skipped ("show my safety plan" then shows it).
Nothing here logs the answers or any message text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker_helpers import latest_intent, latest_user_event

FORM = "safety_plan_form"
PLAN_SLOTS = ("plan_warning_signs", "plan_coping", "plan_distractions", "plan_people",
              "plan_professionals", "plan_environment")
COMPLETE_SLOT = "plan_complete"
SKIPPED = ""
SKIP_BUTTON_INTENT = "exercise_next"
# Intents the safety component sets; steps 1 and 6 may take the first three (see accepts_flagged_answer).
RISK_INTENTS = {"safety_crisis", "safety_check_in", "safety_check_in_other", "safety_emergency", "safety_third_party",
                "safety_abuse"}
RULES_FILE = Path(__file__).with_name("safety_plan.yml")


@dataclass(frozen=True)
class FlaggedAnswers:
    """Which flagged answers one step takes (actions/safety_plan.yml, `flagged_answers`)."""
    categories: frozenset[str]
    only_in_safety_mode: bool


@dataclass(frozen=True)
class PlanRules:
    skip_phrases: frozenset[str]
    pause_intents: frozenset[str]
    pause_phrases: frozenset[str]
    accepted_kinds: frozenset[str]
    flagged_answers: dict[str, FlaggedAnswers]


@lru_cache(maxsize=1)
def plan_rules(path: Path = RULES_FILE) -> PlanRules:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return PlanRules(
        skip_phrases=frozenset(normalise(p) for p in data.get("skip_phrases") or []),
        pause_intents=frozenset(data.get("pause_intents") or []),
        pause_phrases=frozenset(normalise(p) for p in data.get("pause_phrases") or []),
        accepted_kinds=frozenset(data.get("accepted_kinds") or []),
        flagged_answers={
            str(slot): FlaggedAnswers(frozenset(spec.get("categories") or []), bool(spec.get("only_in_safety_mode")))
            for slot, spec in (data.get("flagged_answers") or {}).items()
        },
    )


def normalise(text: str) -> str:
    """Lowercase, apostrophes dropped, other punctuation to spaces, single spaces."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def is_skip(text: str, intent: Optional[str], rules: PlanRules) -> bool:
    """The skip button (its payload starts with "/"), or a reply that is only a skip phrase."""
    if text.startswith("/"):
        return intent == SKIP_BUTTON_INTENT
    return normalise(text) in rules.skip_phrases


def is_pause(text: str, intent: Optional[str], rules: PlanRules) -> bool:
    """"Stop for now" / "Just talk" (button or the whole reply), read as such by the classifier too."""
    if intent not in rules.pause_intents:
        return False
    return text.startswith("/") or normalise(text) in rules.pause_phrases


def accepts_flagged_answer(parse_data: dict[str, Any], slot: str, in_safety_mode: bool,
                           rules: PlanRules) -> bool:
    """A flagged answer this step takes as its answer (see actions/safety_plan.yml); False otherwise."""
    step = rules.flagged_answers.get(slot)
    safety = parse_data.get("safety") or {}
    if step is None or not isinstance(safety, dict) or (step.only_in_safety_mode and not in_safety_mode):
        return False
    categories = set(safety.get("categories") or [])
    return safety.get("kind") in rules.accepted_kinds and bool(categories) and categories <= step.categories


def read_answer(text: Optional[str], intent: Optional[str], parse_data: dict[str, Any], slot: str,
                filled: dict[str, Any], rules: PlanRules, in_safety_mode: bool = False) -> list[EventType]:
    """Slot events for one answer to the plan question for `slot` (empty: the form asks again / rejects)."""
    text = (text or "").strip()
    if intent in RISK_INTENTS:
        if not accepts_flagged_answer(parse_data, slot, in_safety_mode, rules):
            return []  # the form rejects; the safety rules answer
    if is_pause(text, intent, rules):
        return []  # the form rejects; the rule for exercise_stop / just_talk pauses the plan
    if is_skip(text, intent, rules):
        value = SKIPPED
    elif not text or text.startswith("/"):
        return []  # another button's payload is not an answer in the person's words
    else:
        value = text
    events: list[EventType] = [SlotSet(slot, value)]
    if all(filled.get(name) is not None for name in PLAN_SLOTS if name != slot):
        events.append(SlotSet(COMPLETE_SLOT, True))
    return events


class ActionReadPlanAnswer(Action):
    """Custom slot mapping of the six plan slots: the answer verbatim, "" when skipped."""

    def name(self) -> str:
        return "action_read_plan_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot("requested_slot")
        if (tracker.active_loop or {}).get("name") != FORM or slot not in PLAN_SLOTS:
            return []
        message = tracker.latest_message or {}
        # The safety assessment travels in the user event's parse data (as actions/safety.py reads it).
        parse_data = ((latest_user_event(tracker) or {}).get("parse_data") or message)
        filled = {name: tracker.get_slot(name) for name in PLAN_SLOTS}
        return read_answer(message.get("text"), latest_intent(tracker), parse_data, slot, filled, plan_rules(),
                           in_safety_mode=tracker.get_slot("safety_mode") is True)
