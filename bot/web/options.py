"""Tunable limits of the web app, in one place so tests can tighten them without patching code."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class WebOptions:
    # Longer messages are refused (413): Rasa's NLU gains nothing from essays, and a cap bounds the
    # cost of one request. The widget's textarea has the same maxlength, so people see the limit first.
    max_message_chars: int = 2000
    # Whole request bodies above this are refused before they are read (a Content-Length above it) or
    # as soon as the stream passes it. None: room for max_message_chars characters, each JSON-escaped
    # as \uXXXX (6 bytes), plus 1 kB: nothing the widget can send is cut off, little more is read.
    max_body_bytes: Optional[int] = None
    # A refused message is still assessed for risk, but only its first this-many characters: a refusal
    # must not cost more than an accepted message does.
    assess_max_chars: int = 4000
    # Per client address, refused messages assessed at most this often per minute; beyond that a
    # refusal carries the crisis resources unassessed (and records nothing): a flood costs nothing.
    refused_assess_limit: int = 10
    # Rasa must answer within this; slower counts as unavailable and the person gets the fallback.
    rasa_timeout_seconds: float = 10.0
    # Per sender id: a person types far slower; a script does not.
    sender_limit: int = 20
    sender_window_seconds: float = 60.0
    # Per client address, so a script cannot dodge the sender limit by inventing sender ids.
    # Generous, because several people may share one address (a clinic waiting room, a proxy).
    address_limit: int = 120
    address_window_seconds: float = 60.0
    # Escalation cases missing from the tracker store are created this often (None: never, for tests).
    reconcile_every_seconds: Optional[float] = 30.0
    # History and status requests per conversation (status is polled with backoff while reconnecting;
    # history once per page load).
    read_limit: int = 30
    read_window_seconds: float = 60.0
    # Namespace of the limits in their store (Redis when REDIS_URL is set): tests keep theirs apart.
    limiter_namespace: str = "clinic-chat"
    # Console sign-in attempts (password or code) per client address: accounts lock after a few failures
    # each, this also stops one address from trying many accounts.
    sign_in_limit: int = 30
    sign_in_window_seconds: float = 600.0
    # Alerts about new cases (bot/console/alerts.py) are sent by this web app (False: never, for tests).
    alerts: bool = True
    # The oldest messages a history request returns at most.
    history_limit: int = 500

    @property
    def body_limit(self) -> int:
        return self.max_body_bytes if self.max_body_bytes is not None else self.max_message_chars * 6 + 1024
