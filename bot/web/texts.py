"""What the gateway itself says to people. Everything the assistant says lives in domain.yml.

Why here and not in domain.yml: these sentences are shown exactly when Rasa cannot be asked.
"""
from __future__ import annotations

from bot.settings import Settings

UNAVAILABLE = (
    "Sorry, the assistant isn't available right now, so your message wasn't answered. "
    "Your text is still in the message box, and we'll reconnect by ourselves. "
    "If you need to talk to someone now, these services can help."
)
UNAVAILABLE_FLAGGED = (
    "The assistant isn't available right now, so it can't reply. What you wrote sounds serious, "
    "and you deserve support right now. Please contact one of these services. "
    "Your message has been saved for the clinic team, but they may not see it straight away."
)
TOO_LONG = "Your message is too long. Please keep it under {limit} characters, or send it in parts."
TOO_FAST = "You're sending messages very quickly. Please wait a few seconds, then try again."
EMPTY = "Please type a message first."
SLASH = "Messages can't start with \"/\". Please remove it and send your message again."
BAD_SENDER = "This chat has an invalid conversation id. Reload the page to start a new conversation."
BAD_REQUEST = "The request was not understood. Reload the page and try again."
FLAGGED_REJECTED = (
    " What you wrote sounds serious, and you deserve support right now: "
    "these services can help."
)


def notice(settings: Settings) -> str:
    """The short notice shown before the first message (automated, not live, retention)."""
    days = settings.conversations.retention_days
    return (
        f"This is an automated assistant from {settings.clinic.name}, not a therapist. "
        "Nobody watches the conversation live, unless the assistant notices a safety concern; "
        "then the clinic team is asked to review it. "
        f"Conversations are kept for {days} days."
    )
