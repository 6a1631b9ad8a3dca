"""The rules a case lists ("Rules that matched" on the staff console) are the same whichever path
records it: the action server, the reconciler and the gateway read them with one helper, sorted and
unique, so one message never shows staff two different lists."""
from contextlib import contextmanager

import pytest

from actions.safety import escalation_from
from bot import escalations
from bot.case_identity import rule_ids_of
from bot.transcript import Event
from bot.web import fallback

# A long message: one rule matched three times, spans in the order of the text, one malformed span.
STORED = {
    "kind": "crisis",
    "escalate": True,
    "categories": ["suicidal_ideation"],
    "spans": [
        {"start": 0, "end": 10, "category": "suicidal_ideation", "rule_id": "si.want_to_die"},
        {"start": 20, "end": 26, "category": "suicidal_ideation", "rule_id": "si.end_it"},
        {"start": 40, "end": 50, "category": "suicidal_ideation", "rule_id": "si.want_to_die"},
        {"start": 60, "end": 70, "category": "self_harm", "rule_id": "sh.cutting"},
        {"start": 80, "end": 90, "category": "suicidal_ideation", "rule_id": "si.want_to_die"},
        {"start": 95, "end": 99, "category": "suicidal_ideation"},
        "not a span",
    ],
}
EXPECTED = ["sh.cutting", "si.end_it", "si.want_to_die"]
RECEIVED_AT = 1700000042.25


def stored_user_event() -> dict:
    return {"event": "user", "timestamp": 1700000042.5, "text": "<the person's message>",
            "metadata": {"received_at": RECEIVED_AT},
            "parse_data": {"intent": {"name": "safety_crisis", "confidence": 1.0}, "entities": [],
                           "safety": STORED}}


def test_a_case_lists_each_matched_rule_once_in_a_fixed_order():
    assert rule_ids_of(STORED) == EXPECTED


@pytest.mark.parametrize("stored", [None, {}, {"spans": None}, {"spans": "si.end_it"},
                                    {"spans": [{"rule_id": 3}, {"rule_id": ""}, {"rule_id": None}]}])
def test_a_stored_verdict_without_readable_rules_lists_none(stored):
    assert rule_ids_of(stored) == []


def test_the_action_server_the_reconciler_and_the_gateway_list_the_same_rules(monkeypatch):
    data = stored_user_event()
    from_action = escalation_from(data)["rule_ids"]

    event = Event(id=7, sender_id="s", type_name="user", timestamp=data["timestamp"],
                  intent_name="safety_crisis", data=data)
    from_reconciler = escalations._escalation_from_user_event(event).rule_ids

    class Engine:
        @contextmanager
        def connect(self):
            yield None

    monkeypatch.setattr(fallback, "get_engine", lambda settings: Engine())
    monkeypatch.setattr(fallback.transcript, "conversation", lambda connection, sender, types, limit: [event])
    from_gateway = fallback.rasa_verdict(None, "s", RECEIVED_AT).rule_ids

    assert from_action == from_reconciler == from_gateway == EXPECTED
