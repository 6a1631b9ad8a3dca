"""Small readers for the parts of a tracker the actions look at.

Why: several actions need "the intent of the last message" or "the entity values the person used";
reading them in one place keeps the actions short and their tests focused on behaviour.
None of these return or log message text.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker


def latest_intent(tracker: Tracker) -> Optional[str]:
    """The intent of the latest user message, or None."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name")


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of one entity in the latest user message, in order, without repeats."""
    values: list[str] = []
    for item in (tracker.latest_message or {}).get("entities") or []:
        value = item.get("value")
        if item.get("entity") == entity and isinstance(value, str) and value and value not in values:
            values.append(value)
    return values


def latest_user_event(tracker: Tracker) -> Optional[dict[str, Any]]:
    """The latest `user` event of the tracker (with its timestamp and parse data), or None."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return event
    return None


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    """All `user` events, oldest first."""
    return [event for event in tracker.events or [] if event.get("event") == "user"]
