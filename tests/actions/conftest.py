"""Fixtures for the custom action tests: the assembled domain, trackers, a dispatcher.

The domain is the one Rasa runs with: var/build/domain (domain.yml plus the fragment `bot build`
generates), loaded by Rasa itself and passed to the actions as a dict, as the action server gets it.
"""
from __future__ import annotations

import asyncio
import os
import warnings
from pathlib import Path
from typing import Any, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet as RasaSlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.nlg import NoRepeatNLG

ROOT = Path(__file__).resolve().parents[2]
BUILD_DOMAIN = ROOT / "var" / "build" / "domain"


def _build_domain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """var/build/domain when it matches domain.yml; else a fresh `bot build` into a temporary var dir."""
    built = BUILD_DOMAIN / "domain.yml"
    if built.is_file() and built.read_bytes() == (ROOT / "domain.yml").read_bytes():
        return BUILD_DOMAIN
    from bot.build import build, domain_dir
    from bot.settings import load_settings

    var = tmp_path_factory.mktemp("actions-var")
    settings = load_settings(environ={**os.environ, "BOT_VAR_DIR": str(var)})
    build(settings)
    return domain_dir(settings)


@pytest.fixture(scope="session")
def domain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with warnings.catch_warnings():
        # Rasa warns about removed slot auto-fill on every domain load, whatever the domain says.
        warnings.filterwarnings("ignore", message="Slot auto-fill has been removed")
        return Domain.load(str(_build_domain_dir(tmp_path_factory))).as_dict()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def initial_slots(domain: dict[str, Any]) -> dict[str, Any]:
    return {name: spec.get("initial_value") for name, spec in domain["slots"].items()}


def user_event(
    intent: Optional[str],
    entities: Optional[list[dict[str, Any]]] = None,
    text: str = "<the person's message>",
    timestamp: float = 1700000000.5,
    safety: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    parse_data: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
    }
    if safety is not None:
        parse_data["safety"] = safety
    return {"event": "user", "timestamp": timestamp, "text": text, "parse_data": parse_data}


def make_tracker(
    domain: dict[str, Any],
    intent: Optional[str] = None,
    entities: Optional[list[dict[str, Any]]] = None,
    slots: Optional[dict[str, Any]] = None,
    events: Optional[list[dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
    sender_id: str = "test-sender",
    text: str = "<the person's message>",
) -> Tracker:
    """A tracker as the action server receives it: the latest message and its events."""
    latest = user_event(intent, entities, text=text)
    all_events = events if events is not None else [latest]
    user_events = [e for e in all_events if e.get("event") == "user"]
    latest_message = user_events[-1]["parse_data"] if user_events else {}
    return Tracker(
        sender_id=sender_id,
        slots={**initial_slots(domain), **(slots or {})},
        latest_message=latest_message,
        events=all_events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1, "extractor": "RegexEntityExtractor"}


def responses(dispatcher: CollectingDispatcher) -> list[Optional[str]]:
    """The response names the action asked Rasa to say, in order."""
    return [message.get("response") for message in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def generated_text(domain: dict[str, Any], response: str, **slots: Any) -> str:
    """The wording of `response` that a person with these slots reads, picked by the project's response generator
    (bot.nlg.NoRepeatNLG) from the built domain, as Rasa says it."""
    built = Domain.from_dict(domain)
    events = [RasaSlotSet(name, value) for name, value in slots.items()]
    tracker = DialogueStateTracker.from_events("someone", events, slots=built.slots)
    return asyncio.run(NoRepeatNLG(domain=built).generate(response, tracker, "rest"))["text"]
