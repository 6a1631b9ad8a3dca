"""Earlier messages of one conversation, read from Rasa's tracker store (the transcript of record).

Why read the tracker store and not keep our own copy: Rasa writes every user and bot event there as it
processes them, so the history a person sees after a reload is exactly what the clinic's records hold.
"""
from __future__ import annotations

from typing import Any, Optional

from bot import transcript
from bot.db import get_engine
from bot.settings import Settings
from bot.transcript import Event
from bot.web.rasa_client import clean_buttons

# Rasa's REST channel splits bot text at blank lines; the history does the same so both look alike.
PARAGRAPH_BREAK = "\n\n"


def _rows(settings: Settings, sender_id: str, type_names: tuple[str, ...], limit: int) -> list[Event]:
    """The newest `limit` events of these types for a sender, oldest first."""
    with get_engine(settings).connect() as connection:
        return transcript.conversation(connection, sender_id, type_names, limit)


def bot_messages(event: dict[str, Any], timestamp: Any) -> list[dict[str, Any]]:
    """A bot event as the messages the widget showed: text split at blank lines, buttons, a card."""
    extra = event.get("data") if isinstance(event.get("data"), dict) else {}
    buttons = clean_buttons(extra.get("buttons"))
    custom = extra.get("custom") if isinstance(extra.get("custom"), dict) else None
    text = event.get("text") if isinstance(event.get("text"), str) else ""
    messages: list[dict[str, Any]] = []
    if buttons:
        # Rasa sends text with buttons as one message, unsplit.
        messages.append({"sender": "bot", "text": text, "buttons": buttons})
    elif text:
        messages += [{"sender": "bot", "text": part} for part in text.strip().split(PARAGRAPH_BREAK) if part]
    if custom:
        messages.append({"sender": "bot", "custom": custom})
    for message in messages:
        message["timestamp"] = timestamp
        if not message.get("text"):
            message.pop("text", None)
    return messages


def handoff_message(settings: Settings, event: Event) -> Optional[dict[str, Any]]:
    """A bot event added during a live handoff, as the widget shows it: a staff member's message
    ("staff", with the label naming them), a notice ("system": joined, left), or the assistant's
    first words after the hand-back ("bot"); None for ordinary bot events."""
    handoff = event.handoff
    kind, text = handoff.get("kind"), event.text
    if not kind or not text:
        return None
    message: dict[str, Any] = {"text": text, "timestamp": event.timestamp}
    if kind == "message":
        from bot.handoff import staff_label  # here: bot.handoff imports bot.web

        message.update(sender="staff", name=staff_label(settings, str(handoff.get("name") or "")))
    elif kind == "reentry":
        message["sender"] = "bot"
    else:
        message["sender"] = "system"
    return message


def load_history(settings: Settings, sender_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """User and bot messages in order: {"sender", "text"?, "buttons"?, "custom"?, "timestamp"}.

    A user message that was a button payload is shown with the button's title, as it was shown live.
    """
    history: list[dict[str, Any]] = []
    titles: dict[str, str] = {}
    for row in _rows(settings, sender_id, ("user", "bot"), limit):
        event = row.data
        timestamp = event.get("timestamp")
        if row.type_name == "bot":
            live = handoff_message(settings, row)
            if live:
                history.append(live)
                continue
            messages = bot_messages(event, timestamp)
            for message in messages:
                titles.update({b["payload"]: b["title"] for b in message.get("buttons", [])})
            history += messages
            continue
        text = event.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        history.append({"sender": "user", "text": titles.get(text, text), "timestamp": timestamp})
    return history


def live_updates(settings: Settings, sender_id: str, after_id: int) -> tuple[list[dict[str, Any]], int]:
    """Handoff messages (staff, notices, the assistant's return) after event `after_id`, for the
    widget's push channel; and the newest event id seen (the next cursor). The assistant's ordinary
    replies are not here: the widget gets those in the answer to its own message."""
    with get_engine(settings).connect() as connection:
        events = transcript.conversation_after(connection, sender_id, after_id)
    cursor = events[-1].id if events else after_id
    messages = [m for m in (handoff_message(settings, e) for e in events if e.type_name == "bot") if m]
    return messages, cursor


def cursor_of(settings: Settings, sender_id: str) -> int:
    with get_engine(settings).connect() as connection:
        return transcript.last_event_id_of(connection, sender_id)


def offered_payloads(settings: Settings, sender_id: str, recent: int = 20) -> set[str]:
    """Button payloads the assistant recently offered this sender (dynamic buttons from actions too)."""
    payloads: set[str] = set()
    for row in _rows(settings, sender_id, ("bot",), recent):
        extra = row.data.get("data")
        if isinstance(extra, dict):
            payloads.update(b["payload"] for b in clean_buttons(extra.get("buttons")))
    return payloads
