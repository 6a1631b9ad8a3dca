"""action_escalate: records the case for the latest user message at once, survives a missing or failing
recorder (logging no message text), and keeps safety mode on."""
import logging
import sys
import types

import pytest

from actions.safety import ActionEscalate, ActionNoteCheckInDeclined, escalation_from
from rasa_sdk.events import SlotSet
from tests.actions.conftest import make_tracker, slot_events, user_event

MESSAGE = "a message the person typed that must never reach a log"
FLAGGED = {
    "kind": "crisis",
    "escalate": True,
    "categories": ["suicidal_ideation"],
    "spans": [{"start": 2, "end": 12, "category": "suicidal_ideation", "rule_id": "si.want_to_die"},
              {"start": 14, "end": 20, "category": "suicidal_ideation", "rule_id": "si.end_it"}],
}


@pytest.mark.parametrize(
    "intent, safety, expected",
    [
        ("safety_crisis", FLAGGED,
         {"kind": "crisis", "categories": ["suicidal_ideation"], "rule_ids": ["si.end_it", "si.want_to_die"]}),
        ("safety_emergency",
         {"kind": "emergency", "escalate": True, "categories": ["means_now"],
          "spans": [{"start": 0, "end": 5, "category": "means_now", "rule_id": "em.took"}]},
         {"kind": "emergency", "categories": ["means_now"], "rule_ids": ["em.took"]}),
        ("safety_third_party",
         {"kind": "crisis", "escalate": True, "categories": ["third_party_risk"], "spans": []},
         {"kind": "crisis", "categories": ["third_party_risk"], "rule_ids": []}),
        # flagged by the classifier only: the intent decides the kind
        ("safety_emergency", None, {"kind": "emergency", "categories": [], "rule_ids": []}),
        # "yes" to the check-in: not flagged itself, a crisis confirmed by the person
        ("affirm", {"kind": "none", "escalate": False, "categories": [], "spans": []},
         {"kind": "crisis", "categories": ["check_in_confirmed"], "rule_ids": []}),
        # neither yes nor no to the question asked twice: not recorded as a "yes"
        ("inform_rating", None, {"kind": "crisis", "categories": ["check_in_unclear"], "rule_ids": []}),
        ("mood_lonely", None, {"kind": "crisis", "categories": ["check_in_unclear"], "rule_ids": []}),
        # a no taken back ("no, well sometimes": data/rules/check_in_hedged.yml): not recorded as a "yes" either
        ("deny", {"kind": "none", "escalate": False, "categories": [], "spans": []},
         {"kind": "crisis", "categories": ["check_in_unclear"], "rule_ids": []}),
        # the classifier alone chose a risk intent, the rules found nothing: never a case of kind "none"
        ("safety_crisis", {"kind": "none", "escalate": False, "categories": [], "spans": []},
         {"kind": "crisis", "categories": [], "rule_ids": []}),
        ("safety_abuse", {"kind": "check_in", "escalate": False, "categories": [], "spans": []},
         {"kind": "abuse", "categories": [], "rule_ids": []}),
    ],
)
def test_the_case_matches_what_the_reconciler_would_record(intent, safety, expected):
    assert escalation_from(user_event(intent, safety=safety)) == expected


@pytest.fixture
def recorder(monkeypatch):
    """A stand-in bot.escalations module that remembers its calls."""
    calls = []
    module = types.ModuleType("bot.escalations")

    def record_escalation(sender_id, event_timestamp, kind, categories, rule_ids):
        calls.append(dict(sender_id=sender_id, event_timestamp=event_timestamp, kind=kind,
                          categories=categories, rule_ids=rule_ids))
        return True

    module.record_escalation = record_escalation
    monkeypatch.setitem(sys.modules, "bot.escalations", module)
    return calls


def crisis_tracker(domain, slots=None):
    events = [
        user_event("greet", timestamp=1700000000.0),
        {"event": "bot", "text": "Hi"},
        user_event("safety_crisis", text=MESSAGE, timestamp=1700000042.25, safety=FLAGGED),
        {"event": "slot", "name": "safety_mode", "value": True},
    ]
    return make_tracker(domain, events=events, slots=slots or {})


async def test_records_the_latest_user_message_at_once(domain, dispatcher, recorder):
    await ActionEscalate().run(dispatcher, crisis_tracker(domain), domain)
    assert recorder == [dict(sender_id="test-sender", event_timestamp=1700000042.25, kind="crisis",
                             categories=["suicidal_ideation"], rule_ids=["si.end_it", "si.want_to_die"])]
    assert dispatcher.messages == []  # the rules have already said everything


async def test_a_message_the_gateway_stamped_is_keyed_by_the_stamp(domain, dispatcher, recorder):
    """The reconciler and the gateway key the case by the gateway's arrival stamp: so does the action."""
    stamped = user_event("safety_crisis", text=MESSAGE, timestamp=1700000042.25, safety=FLAGGED)
    stamped["metadata"] = {"received_at": 1700000040.125}
    await ActionEscalate().run(dispatcher, make_tracker(domain, events=[stamped]), domain)
    assert [call["event_timestamp"] for call in recorder] == [1700000040.125]


async def test_turns_safety_mode_on_with_the_footer_after_a_check_in_yes(domain, dispatcher, recorder):
    tracker = make_tracker(domain, events=[user_event("affirm", timestamp=1700000100.0)])
    events = await ActionEscalate().run(dispatcher, tracker, domain)
    contact = domain["slots"]["crisis_contact"]["initial_value"]  # "call or text 988", "call 116 123"
    slots = slot_events(events)
    assert slots["safety_mode"] is True
    assert slots["safety_kind"] == "crisis"
    assert contact in slots["safety_footer"] and "{" not in slots["safety_footer"]
    assert recorder[0]["categories"] == ["check_in_confirmed"]


async def test_leaves_safety_slots_the_mappings_already_set(domain, dispatcher, recorder):
    footer = domain["slots"]["safety_footer"]["mappings"][0]["value"]  # the mapping's, in the clinic's locale
    tracker = crisis_tracker(domain, slots={"safety_mode": True, "safety_kind": "crisis", "safety_footer": footer})
    assert await ActionEscalate().run(dispatcher, tracker, domain) == []


async def test_puts_the_footer_in_the_conversations_locale(domain, dispatcher, recorder):
    """The mapping fills the clinic's footer; a conversation in another locale gets its own line's."""
    footer = domain["slots"]["safety_footer"]["mappings"][0]["value"]
    tracker = crisis_tracker(domain, slots={"safety_mode": True, "safety_kind": "crisis", "safety_footer": footer,
                                            "crisis_contact": "call 116 123", "crisis_line": "116 123"})
    slots = slot_events(await ActionEscalate().run(dispatcher, tracker, domain))
    assert "call 116 123" in slots["safety_footer"] and "text" not in slots["safety_footer"].replace("talk to", "")


async def test_accepts_an_async_recorder(domain, dispatcher, monkeypatch):
    calls = []
    module = types.ModuleType("bot.escalations")

    async def record_escalation(**kwargs):
        calls.append(kwargs)

    module.record_escalation = record_escalation
    monkeypatch.setitem(sys.modules, "bot.escalations", module)
    await ActionEscalate().run(dispatcher, crisis_tracker(domain), domain)
    assert calls and calls[0]["kind"] == "crisis"


def broken_module(monkeypatch):
    module = types.ModuleType("bot.escalations")

    def record_escalation(**kwargs):
        raise RuntimeError(f"database is down while saving {MESSAGE}")

    module.record_escalation = record_escalation
    monkeypatch.setitem(sys.modules, "bot.escalations", module)


def missing_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "bot.escalations", None)  # import raises ImportError


@pytest.mark.parametrize("break_it", [broken_module, missing_module])
async def test_a_failing_or_missing_recorder_logs_an_error_without_message_text(
        domain, dispatcher, monkeypatch, caplog, break_it):
    break_it(monkeypatch)
    with caplog.at_level(logging.DEBUG):
        events = await ActionEscalate().run(dispatcher, crisis_tracker(domain), domain)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("actions")]
    assert errors, "the failure must be visible to operators"
    assert all(MESSAGE not in r.getMessage() and "database is down" not in r.getMessage() for r in caplog.records)
    assert slot_events(events)["safety_kind"] == "crisis"  # the conversation carries on in safety mode
    assert dispatcher.messages == []


async def test_without_a_user_message_nothing_is_recorded(domain, dispatcher, recorder):
    tracker = make_tracker(domain, events=[])
    await ActionEscalate().run(dispatcher, tracker, domain)
    assert recorder == []


async def test_recording_the_case_does_not_block_other_conversations(domain, dispatcher, monkeypatch):
    """A slow database (SQLite busy timeout: up to 15 s) must not stall the action server's event loop."""
    import asyncio
    import time

    module = types.ModuleType("bot.escalations")

    def slow_record_escalation(**_case):
        time.sleep(0.5)
        return True

    module.record_escalation = slow_record_escalation
    monkeypatch.setitem(sys.modules, "bot.escalations", module)
    ticks: list[float] = []

    async def other_conversations() -> None:
        for _ in range(25):
            ticks.append(time.monotonic())
            await asyncio.sleep(0.02)

    ticker = asyncio.create_task(other_conversations())
    await asyncio.sleep(0.05)  # the other conversations are under way
    await ActionEscalate().run(dispatcher, crisis_tracker(domain), domain)
    await ticker
    assert max(b - a for a, b in zip(ticks, ticks[1:])) < 0.3


@pytest.mark.parametrize("answer, first_category", [("affirm", "check_in_other_confirmed"),
                                                    ("deny", "check_in_other_unclear")])
async def test_an_answer_to_the_question_about_someone_else_is_a_case_about_them(domain, dispatcher, recorder,
                                                                                   answer, first_category):
    """Staff must not read "yes" to "are you worried they might be thinking about suicide?" as the writer's
    own thoughts of suicide (a walk-through's case said exactly that). "no, well maybe" (a deny carrying the
    hedge, data/rules/third_party_check_in.yml) takes the same path and is neither a yes nor about the writer."""
    events = [
        user_event("safety_check_in_other", timestamp=1700000100.0),
        {"event": "action", "name": "utter_check_in_other"},
        {"event": "bot", "text": "<the question>"},
        {"event": "action", "name": "action_listen"},
        user_event(answer, timestamp=1700000110.0),
        {"event": "action", "name": "utter_third_party"},
        {"event": "action", "name": "utter_crisis_resources_card"},
        {"event": "action", "name": "utter_third_party_staff"},
    ]
    await ActionEscalate().run(dispatcher, make_tracker(domain, events=events), domain)
    assert recorder[0]["categories"] == [first_category, "third_party_risk"]
    assert recorder[0]["event_timestamp"] == 1700000110.0


async def test_an_answered_check_in_clears_why_it_was_asked(domain, dispatcher, recorder):
    """check_in_reason (a statement of intent: unclear answers escalate at once) must not decide how a later
    question's answer is read: escalating, or hearing "no", clears it."""
    tracker = make_tracker(domain, events=[user_event("nlu_fallback", timestamp=1700000100.0)],
                           slots={"check_in_reason": "intent_or_timeline"})
    assert SlotSet("check_in_reason", None) in await ActionEscalate().run(dispatcher, tracker, domain)
    declined = await ActionNoteCheckInDeclined().run(dispatcher, tracker, domain)
    assert SlotSet("check_in_reason", None) in declined and SlotSet("check_in_declined", True) in declined


@pytest.mark.parametrize("kind, expected", [("emergency", True), ("crisis", None), (None, None)])
async def test_a_no_after_an_emergency_reply_is_noted_so_the_worry_stays(domain, dispatcher, kind, expected):
    """Walk, 7 Dec: after "i think i took too much" (the emergency reply), "no" to thoughts of suicide was offered
    a skill; slot declined_after_emergency makes utter_check_in_no keep the worry instead."""
    tracker = make_tracker(domain, events=[user_event("deny", timestamp=1700000100.0)], slots={"safety_kind": kind})
    declined = await ActionNoteCheckInDeclined().run(dispatcher, tracker, domain)
    assert SlotSet("declined_after_emergency", expected) in declined


# --- a second crisis message is not answered with the whole crisis reply again (issue 12) ---------------

def _turn(domain, actions, slots=None, intent="safety_crisis"):
    events = [user_event(intent, text=MESSAGE, timestamp=1700000042.25, safety=FLAGGED),
              *[{"event": "action", "name": name} for name in actions]]
    return make_tracker(domain, events=events, slots={"safety_mode": True, "safety_kind": "crisis", **(slots or {})})


@pytest.mark.parametrize("actions, before, after", [
    # the full crisis reply (also after a check-in "yes" or unclear answers: they end with utter_crisis_stay)
    (["utter_crisis", "utter_crisis_resources_card", "utter_crisis_stay"], None, "crisis"),
    # the emergency reply: a later crisis gets the emergency follow-up
    (["utter_emergency", "utter_emergency_resources_card", "utter_crisis_stay"], "crisis", "emergency"),
    # the short reply keeps it; after an emergency it is never lowered
    (["utter_crisis_again", "utter_crisis_resources_card"], "emergency", "emergency"),
    (["utter_safety_emergency_followup", "utter_emergency_resources_card"], "emergency", "emergency"),
])
async def test_notes_which_full_reply_was_given(domain, dispatcher, recorder, actions, before, after):
    slots = slot_events(await ActionEscalate().run(dispatcher, _turn(domain, actions, {"crisis_reply_shown": before}),
                                                   domain))
    assert slots.get("crisis_reply_shown", before) == after


@pytest.mark.parametrize("actions, intent", [
    (["utter_third_party", "utter_crisis_resources_card", "utter_third_party_staff"], "safety_third_party"),
    (["utter_abuse", "utter_abuse_resources_card", "utter_abuse_stay"], "safety_abuse"),
])
async def test_the_reply_about_someone_else_or_about_abuse_leaves_the_next_crisis_its_full_reply(
        domain, dispatcher, recorder, actions, intent):
    events = await ActionEscalate().run(dispatcher, _turn(domain, actions, intent=intent), domain)
    assert "crisis_reply_shown" not in slot_events(events)


async def test_only_this_turns_actions_count(domain, dispatcher, recorder):
    """The crisis reply of an earlier turn does not make this turn's third-party reply a crisis reply."""
    events = [user_event("safety_crisis", timestamp=1700000000.0, safety=FLAGGED),
              {"event": "action", "name": "utter_crisis_stay"},
              user_event("safety_third_party", timestamp=1700000100.0),
              {"event": "action", "name": "utter_third_party"}]
    tracker = make_tracker(domain, events=events, slots={"safety_mode": True, "safety_kind": "third_party"})
    assert "crisis_reply_shown" not in slot_events(await ActionEscalate().run(dispatcher, tracker, domain))
