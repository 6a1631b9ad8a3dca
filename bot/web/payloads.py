"""Which messages starting with "/" the gateway lets through.

Why: Rasa treats "/intent" text as an already-classified intent and skips NLU, including the safety
component. Buttons need that, people typing do not; so only payloads of buttons the assistant offers
(declared in the domain, or recently sent to this person by an action) pass.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot.content.project import payload_as_sent
from bot.settings import Settings
from bot.web.history import offered_payloads

logger = logging.getLogger(__name__)

# "/intent" or "/intent{...json entities...}": the only shape Rasa's button payloads take here.
PAYLOAD_FORMAT = re.compile(r"^/[A-Za-z_][A-Za-z0-9_\-]*(\{[^\n]*\})?$")


def as_words(text: str) -> str:
    """A message that starts with "/" but has no payload's shape ("/r/SuicideWatch helped me", "/ i feel awful") is a
    person's words: Rasa would read the slash as an intent, so it goes on without it. Anything else is unchanged."""
    stripped = text.strip()
    if stripped.startswith("/") and not PAYLOAD_FORMAT.match(stripped):
        return stripped.lstrip("/").lstrip()
    return text


def _domain_files(settings: Settings) -> list[Path]:
    files = [settings.root / "domain.yml"]
    files += sorted((settings.root / "domain").rglob("*.yml")) if (settings.root / "domain").is_dir() else []
    files += sorted((settings.build_dir / "domain").glob("*.yml"))
    return [f for f in files if f.is_file()]


def _walk_buttons(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        if isinstance(node.get("buttons"), list):
            for button in node["buttons"]:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    yield payload_as_sent(button["payload"].strip())
        for value in node.values():
            yield from _walk_buttons(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_buttons(value)


class PayloadGuard:
    """Decides whether a "/"-message is a button payload; re-reads the domain when it changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stamp: tuple = ()
        self._payloads: set[str] = set()

    def domain_payloads(self) -> set[str]:
        files = _domain_files(self.settings)
        stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files)
        if stamp != self._stamp:
            payloads: set[str] = set()
            for path in files:
                try:
                    responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses")
                except (OSError, yaml.YAMLError, AttributeError):
                    logger.warning("could not read button payloads from a domain file")
                    continue
                payloads.update(_walk_buttons(responses))
            self._payloads, self._stamp = payloads, stamp
        return self._payloads

    def allows(self, text: str, sender_id: str) -> bool:
        """True for ordinary text and for payloads of buttons the assistant offers."""
        if not text.startswith("/"):
            return True
        payload = text.strip()
        if not PAYLOAD_FORMAT.match(payload):
            return False
        if payload in self.domain_payloads():
            return True
        return payload in offered_payloads(self.settings, sender_id)
