"""What the gateway itself says to people, read from texts.yml beside this file.

Why not domain.yml: these sentences are shown exactly when Rasa cannot be asked. Why not code: they
are reviewed like any other wording.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import Settings

_TEXTS: dict[str, str] = yaml.safe_load((Path(__file__).with_name("texts.yml")).read_text(encoding="utf-8"))

UNAVAILABLE = _TEXTS["unavailable"]
UNAVAILABLE_FLAGGED = _TEXTS["unavailable_flagged"]
UNAVAILABLE_ABUSE = _TEXTS["unavailable_abuse"]
TOO_LONG = _TEXTS["too_long"]
TOO_FAST = _TEXTS["too_fast"]
EMPTY = _TEXTS["empty"]
SLASH = _TEXTS["slash"]
BAD_SENDER = _TEXTS["bad_sender"]
BAD_REQUEST = _TEXTS["bad_request"]
NO_CONVERSATION = _TEXTS["no_conversation"]
FLAGGED_REJECTED = " " + _TEXTS["flagged_rejected"]


def notice(settings: Settings) -> str:
    """The short notice shown before the first message (automated, not live, retention)."""
    return _TEXTS["notice"].format(
        clinic_name=settings.clinic.name, retention_days=settings.conversations.retention_days
    )
