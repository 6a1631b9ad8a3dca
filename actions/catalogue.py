"""A marker action that is never run: it anchors data/rules/catalogue.yml.

Why: `rasa data validate --fail-on-warnings` requires every response to appear in a rule or story,
but many responses are said by custom actions or forms, never predicted as steps. The catalogue rules
list them after this action, which no rule or story predicts, so those rules never match a real
conversation. If it ever runs, it does nothing.
"""
from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

logger = logging.getLogger(__name__)


class ActionResponseCatalogue(Action):
    def name(self) -> str:
        return "action_response_catalogue"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        logger.warning("action_response_catalogue ran; it is a marker and should never be predicted")
        return []
