"""Risk detection for a supportive-conversation assistant.

One promise: every message that signals risk is routed to crisis resources
and clinic staff (``assess(text).escalate``).  Recall comes first; idioms
("this traffic is killing me") must not escalate.

    >>> from safety import assess
    >>> assess("i want to kill myself tonight").kind
    <Kind.EMERGENCY: 'emergency'>

This package imports nothing from the bot, actions or Rasa; the Rasa
component that calls it lives with the other NLU components in
``bot/nlu/safety_component.py``.
"""
import importlib
from typing import Any

from .assessment import Assessment, Kind, Span

__all__ = ["assess", "explain", "get_engine", "Assessment", "Kind", "Span"]
_ENGINE_API = {"assess", "explain", "get_engine"}


def __getattr__(name: str) -> Any:
    """Import the matcher (spaCy, several seconds) only when it is used, so that
    ``safety.resources`` and ``safety.errors`` stay cheap for the CLI and the web app."""
    if name in _ENGINE_API:
        return getattr(importlib.import_module(f"{__name__}.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
