"""Open every session by saying plainly what this assistant is, and where to get help right now.

Why a custom action_session_start: the opening must come before anything else, even when the first
message is a crisis, and a new session (after an hour of silence) must not forget that the person
was in crisis: safety mode and its footer carry over, so the crisis line stays in every reply.
One exception to "the opening first": when the message that starts the session carries risk (the gateway's
safety check says so in the message's metadata), the crisis reply comes first and introduces the assistant.
Everything else (exercise progress, ratings, check-in answers) starts fresh.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.case_identity import AT_RISK

logger = logging.getLogger(__name__)

# Slots a new session keeps (when session_config.carry_over_slots_to_new_session is true): safety mode,
# and the person's safety plan, so "show my safety plan" still works after an hour's pause.
CARRY_OVER_SLOTS = ("safety_mode", "safety_kind", "safety_footer",
                    "plan_warning_signs", "plan_coping", "plan_distractions", "plan_people",
                    "plan_professionals", "plan_environment", "plan_complete")


# Set instead of saying the opening when the session's first message carries risk; the safety replies'
# variations for it say that this is an automated assistant. action_escalate and the check-in's answer clear it.
INTRODUCE_SLOT = "introduce_in_reply"


def introduction_said(tracker: Tracker) -> list[EventType]:
    """Clears INTRODUCE_SLOT once a safety reply has introduced the assistant: once a session is enough."""
    return [SlotSet(INTRODUCE_SLOT, None)] if tracker.get_slot(INTRODUCE_SLOT) else []


def opened_by_risk(tracker: Tracker) -> bool:
    """Whether the gateway flagged the message that starts this session (metadata AT_RISK)."""
    metadata = tracker.get_slot("session_started_metadata")
    return isinstance(metadata, dict) and metadata.get(AT_RISK) is True


def carry_over_enabled(domain: DomainDict) -> bool:
    return bool((domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True))


def carried_slots(tracker: Tracker, domain: DomainDict) -> list[EventType]:
    if not carry_over_enabled(domain):
        return []
    events: list[EventType] = []
    for name in CARRY_OVER_SLOTS:
        value: Any = tracker.get_slot(name)
        # A skipped plan step is "" and must carry over as such (the plan stays complete).
        if value is not None and (value != "" or name.startswith("plan_")):
            events.append(SlotSet(name, value))
    return events


def locale_slots(tracker: Tracker, domain: DomainDict, carried: list[EventType]) -> dict[str, Any]:
    """The slots that put this conversation in the locale the gateway sent with the message that
    started the session (metadata "locale", from the widget's data-locale), when it is not the
    conversation's already: the resource text slots, `locale` (which picks the cards' variation) and,
    in safety mode, the footer. {} when there is nothing to change or the locale is unknown."""
    metadata = tracker.get_slot("session_started_metadata")
    wanted: Optional[str] = metadata.get("locale") if isinstance(metadata, dict) else None
    if not isinstance(wanted, str) or not wanted or wanted == tracker.get_slot("locale"):
        return {}
    try:
        from bot.build import footer_for, locale_resources, resource_slot_values
        from bot.settings import get_settings

        resources = locale_resources(get_settings(), wanted)
    except Exception as error:  # unknown locale or unreadable file: the clinic's resources stay
        logger.warning("action_session_start: no resources for the conversation's locale (%s)", type(error).__name__)
        return {}
    values: dict[str, Any] = {**resource_slot_values(resources), "locale": wanted}
    if any(e.get("name") == "safety_footer" for e in carried):
        try:
            values["safety_footer"] = footer_for(dict(domain), resources)
        except Exception:  # noqa: BLE001 - the carried footer is still a footer
            pass
    return values


class ActionSessionStart(Action):
    """SessionStarted, the carried-over safety slots, the conversation's locale, the opening, then listen."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        carried = carried_slots(tracker, domain)
        localised = locale_slots(tracker, domain, carried)
        carried = [e for e in carried if e.get("name") not in localised]
        if tracker.is_paused():
            # A person from the clinic is in the chat (live handoff): a new session must not end the
            # pause (SessionStarted resets it) nor greet the person in the middle of that conversation.
            return [SessionStarted(), *carried, *(SlotSet(n, v) for n, v in localised.items()),
                    ConversationPaused(), ActionExecuted("action_listen")]
        locale_events = [SlotSet(name, value) for name, value in localised.items()]
        if opened_by_risk(tracker):
            # The crisis or check-in reply comes first and says itself what this assistant is
            # (its introduce_in_reply variation): nobody in crisis is first asked how they are doing.
            return [SessionStarted(), *carried, *locale_events, SlotSet(INTRODUCE_SLOT, True),
                    ActionExecuted("action_listen")]
        in_safety_mode = any(e.get("name") == "safety_mode" and e.get("value") is True for e in carried)
        # Slots set by this action reach the opening's wording only as template values.
        dispatcher.utter_message(response="utter_safety_opening" if in_safety_mode else "utter_opening",
                                 **localised)
        return [SessionStarted(), *carried, *locale_events, ActionExecuted("action_listen")]
