"""What case one message makes: its kind (one table) and its key (sender id + the message's time).

Three paths record cases: the action server (action_escalate, at once), the reconciler (from the
tracker store, whatever happened) and the gateway (when Rasa cannot answer, or a message is refused).
They must agree on both, or staff see one message as two cases, or a case of kind "none".

Kind: the safety assessment decides when it escalates (crisis or emergency; a crisis that is a
disclosure of abuse is an "abuse" case), else the escalating intent the dialogue acted on; a message
only the gateway assessed at check-in level is a "check_in" case (nobody could ask the question).
Nothing else makes a case: there is no kind "none".

Key: the gateway stamps every message it passes to Rasa with its arrival time (REST metadata
`received_at`, stored with the user event in the tracker). A message that timed out at the gateway
(case recorded with that time) but was still processed by Rasa (case from the tracker event) then has
one key. Messages without the stamp (Rasa's own channels, older events) use the event's timestamp.

Pure Python on purpose: the action server imports it without the database or the web app.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Optional

from safety.situation import ABUSE, situation_for

# Most urgent first: a case rises to the more urgent kind when a later message is more severe (bot/escalations.py).
CASE_KINDS = ("emergency", "crisis", "abuse", "check_in")

# Intents the safety component (or the classifier) sets for a risk message, and the case each means.
INTENT_KINDS = {"safety_crisis": "crisis", "safety_emergency": "emergency", "safety_third_party": "crisis",
                "safety_abuse": "abuse"}
ESCALATING_INTENTS = tuple(INTENT_KINDS)
# Bot actions that show crisis resources: a case exists whenever one of them ran (e.g. after a
# check-in answered "yes", where the user message itself was not flagged).
RESOURCE_CARD_KINDS = {
    "utter_crisis_resources_card": "crisis",
    "utter_emergency_resources_card": "emergency",
    "utter_abuse_resources_card": "abuse",
}
# The category of a case that exists because the person said "yes" to the check-in question.
CONFIRMED_CHECK_IN = "check_in_confirmed"
# ... and because they answered it, twice, with neither yes nor no ("ok", their story, "idk"), or with a no they
# took back ("no, well sometimes": data/rules/check_in_hedged.yml): staff must not read that as a "yes" (they read
# the answers on the case), nor miss it.
UNCLEAR_CHECK_IN = "check_in_unclear"
#: The answer that is a "yes" to a check-in question.
YES = "affirm"
# ... and because they said "yes" to the question about someone they are worried about (utter_check_in_other):
# the case is about that person, and staff must not read it as the writer's own suicidal thoughts.
CONFIRMED_CHECK_IN_OTHER = "check_in_other_confirmed"
# ... or with a no they took back ("no, well maybe"): still about that person, and not a "yes".
UNCLEAR_CHECK_IN_OTHER = "check_in_other_unclear"
QUESTION_ABOUT_SOMEONE_ELSE = "utter_check_in_other"
# The metadata key the gateway stamps on each message it sends to Rasa.
RECEIVED_AT = "received_at"
# The metadata key the gateway sets (true) on a message its own safety check flagged. Only
# action_session_start reads it: a session opened by such a message leaves the introduction to the
# crisis or check-in reply instead of asking "How are you doing today?" first. Never a case's kind:
# that stays the dialogue's and the reconciler's decision.
AT_RISK = "at_risk"


def case_kind(intent: Optional[str], assessment: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The case kind for a message, or None when it makes no case.

    `intent`: the intent the dialogue acted on (None for the gateway, which has no dialogue).
    `assessment`: {"kind", "escalate", "categories"} as the safety component stores it in parse_data
    (or the gateway's own verdict)."""
    assessment = assessment or {}
    assessed = assessment.get("kind") if assessment.get("escalate") else None
    if assessed == "emergency":
        return "emergency"
    if assessed == "crisis":
        if intent == "safety_abuse":
            return "abuse"
        if intent is None and situation_for(list(assessment.get("categories") or [])) == ABUSE:
            return "abuse"
        return "crisis"
    if intent in INTENT_KINDS:
        return INTENT_KINDS[intent]
    if intent is None and assessment.get("kind") == "check_in":
        return "check_in"
    return None


def rule_ids_of(assessment: Optional[Mapping[str, Any]]) -> list[str]:
    """The ids of the rules behind a stored assessment's spans, sorted and unique: what a case records.

    Three readers (the action server, the reconciler and the gateway) take them from the safety dict the
    Rasa component stored with the message, and the same message must give the same case whichever path
    records it. Sorted and unique, deliberately: a long message can match one rule dozens of times, and
    staff read "Rules that matched" as a set to look up or to mark as a false alarm, not as a sequence
    (the spans themselves keep the order in the text). Spans that are not dicts, or whose rule id is
    missing or not a string, are skipped: the dict comes from storage and must not break a case."""
    spans = (assessment or {}).get("spans") if isinstance(assessment, Mapping) else None
    if not isinstance(spans, (list, tuple)):
        return []
    return sorted({span["rule_id"] for span in spans
                   if isinstance(span, Mapping) and isinstance(span.get("rule_id"), str) and span["rule_id"]})


def confirmed_check_in_categories(question: Optional[str], answer_intent: Optional[str] = None) -> list[str]:
    """The categories of a case that exists because of the person's answer to a question (`question`: the
    bot action before their answer; `answer_intent`: the answer's intent, None when unknown). The action
    server and the reconciler both use this, so one "yes" about someone else is never recorded as the
    writer's own suicidal thoughts, and an answer that was not a "yes" is never recorded as one."""
    unclear = answer_intent is not None and answer_intent != YES
    if question == QUESTION_ABOUT_SOMEONE_ELSE:
        return [UNCLEAR_CHECK_IN_OTHER if unclear else CONFIRMED_CHECK_IN_OTHER, "third_party_risk"]
    return [UNCLEAR_CHECK_IN if unclear else CONFIRMED_CHECK_IN]


def message_time(event: Mapping[str, Any]) -> Optional[float]:
    """The case key's time for a user event (a tracker event as a dict): the gateway's arrival stamp
    when there is one, else the event's own timestamp."""
    metadata = event.get("metadata")
    if isinstance(metadata, Mapping):
        stamped = metadata.get(RECEIVED_AT)
        if isinstance(stamped, (int, float)) and not isinstance(stamped, bool) and math.isfinite(stamped):
            return float(stamped)
    timestamp = event.get("timestamp")
    return float(timestamp) if isinstance(timestamp, (int, float)) else None
