"""Cases are created once per flagged message, by the action server or by the reconciler."""
import time

import pytest

from bot.escalations import list_cases, reconcile, record_escalation
from tests.bot.conftest import bot_action, user_event

CRISIS = {
    "kind": "crisis",
    "escalate": True,
    "categories": ["active_ideation"],
    "spans": [{"start": 7, "end": 21, "category": "active_ideation", "rule_id": "active.kill_myself"}],
}


def test_record_escalation_creates_one_case_per_flagged_message(settings):
    at = time.time()
    assert record_escalation("alice", at, "crisis", ["active_ideation"], ["active.kill_myself"], settings=settings)
    assert not record_escalation("alice", at, "crisis", ["active_ideation"], ["active.kill_myself"], settings=settings)
    [case] = list_cases(settings)
    assert case["sender_id"] == "alice"
    assert case["kind"] == "crisis"
    assert case["categories"] == ["active_ideation"]
    assert case["rule_ids"] == ["active.kill_myself"]
    assert case["status"] == "new"
    assert case["source"] == "action"
    assert case["created_at"]


def test_reconciler_without_a_tracker_store_yet_creates_nothing(settings):
    assert reconcile(settings) == 0
    assert list_cases(settings) == []


def test_reconciler_creates_the_case_the_action_server_missed(settings, tracker_writer):
    tracker_writer.save(
        "bob",
        user_event("hello", "greet"),
        user_event("i want to kill myself", "safety_crisis", CRISIS),
        bot_action("utter_crisis"),
        bot_action("utter_crisis_resources_card"),
    )
    assert reconcile(settings) == 1
    [case] = list_cases(settings)
    assert (case["sender_id"], case["kind"], case["source"]) == ("bob", "crisis", "reconciler")
    assert case["categories"] == ["active_ideation"]
    assert case["rule_ids"] == ["active.kill_myself"]
    assert reconcile(settings) == 0  # idempotent


def test_reconciler_does_not_duplicate_a_case_the_action_server_made(settings, tracker_writer):
    flagged = user_event("i want to kill myself", "safety_crisis", CRISIS)
    tracker_writer.save("carol", flagged, bot_action("utter_crisis_resources_card"))
    record_escalation("carol", flagged.timestamp, "crisis", ["active_ideation"], [], settings=settings)
    assert reconcile(settings) == 0
    assert len(list_cases(settings)) == 1


def test_confirmed_check_in_becomes_a_case_from_the_resources_card(settings, tracker_writer):
    check_in = {"kind": "check_in", "escalate": False, "categories": ["passive_ideation"], "spans": []}
    tracker_writer.save(
        "dan",
        user_event("whats the point of anything", "safety_check_in", check_in),
        bot_action("utter_check_in"),
        user_event("yes", "affirm"),
        bot_action("utter_crisis"),
        bot_action("utter_crisis_resources_card"),
    )
    assert reconcile(settings) == 1
    [case] = list_cases(settings)
    assert case["kind"] == "crisis"
    assert case["categories"] == ["check_in_confirmed"]


def test_two_unclear_answers_become_a_case_staff_do_not_read_as_a_yes(settings, tracker_writer):
    """Asked twice, answered with a story and then "idk": escalated (recall first), and the case says the
    person answered neither yes nor no, so staff read the answers rather than a confirmed "yes"."""
    check_in = {"kind": "check_in", "escalate": False, "categories": ["passive_ideation"], "spans": []}
    tracker_writer.save(
        "gus",
        user_event("whats the point of anything", "safety_check_in", check_in),
        bot_action("utter_check_in"),
        user_event("my children live abroad", "mood_lonely"),
        bot_action("utter_check_in_again"),
        user_event("idk", "nlu_fallback"),
        bot_action("utter_check_in_unclear"),
        bot_action("utter_crisis_resources_card"),
    )
    assert reconcile(settings) == 1
    [case] = list_cases(settings)
    assert case["kind"] == "crisis"
    assert case["categories"] == ["check_in_unclear"]


def test_one_unclear_answer_is_asked_again_and_makes_no_case(settings, tracker_writer):
    check_in = {"kind": "check_in", "escalate": False, "categories": ["passive_ideation"], "spans": []}
    tracker_writer.save(
        "hal",
        user_event("whats the point of anything", "safety_check_in", check_in),
        bot_action("utter_check_in"),
        user_event("my children live abroad", "mood_lonely"),
        bot_action("utter_check_in_again"),
    )
    assert reconcile(settings) == 0


def test_yes_about_someone_else_is_a_case_about_them_not_the_writer(settings, tracker_writer):
    """The action server down: the reconciler alone makes the case, and must record, as action_escalate
    does, that the "yes" answered the question about someone else."""
    check_in_other = {"kind": "check_in", "escalate": False, "categories": ["third_party_risk"], "spans": []}
    tracker_writer.save(
        "fay",
        user_event("my brother says nothing matters anymore", "safety_check_in_other", check_in_other),
        bot_action("utter_check_in_other"),
        bot_action("action_listen"),
        user_event("yes", "affirm"),
        bot_action("utter_third_party"),
        bot_action("utter_crisis_resources_card"),
    )
    assert reconcile(settings) == 1
    [case] = list_cases(settings)
    assert (case["kind"], case["categories"]) == ("crisis", ["check_in_other_confirmed", "third_party_risk"])


def test_emergency_kind_comes_from_the_assessment(settings, tracker_writer):
    emergency = {**CRISIS, "kind": "emergency", "categories": ["attempt_in_progress"]}
    tracker_writer.save("erin", user_event("i took all my pills", "safety_emergency", emergency))
    reconcile(settings)
    assert [c["kind"] for c in list_cases(settings)] == ["emergency"]


def test_an_abuse_disclosure_becomes_an_abuse_case_for_the_staff(settings, tracker_writer):
    abuse = {**CRISIS, "categories": ["abuse_or_unsafe"],
             "spans": [{"start": 0, "end": 16, "category": "abuse_or_unsafe", "rule_id": "abuse.hurts_me"}]}
    tracker_writer.save("gus", user_event("my stepdad hits me", "safety_abuse", abuse),
                        bot_action("utter_abuse"), bot_action("utter_abuse_resources_card"))
    assert reconcile(settings) == 1
    [case] = list_cases(settings)
    assert (case["kind"], case["categories"], case["rule_ids"]) == ("abuse", ["abuse_or_unsafe"], ["abuse.hurts_me"])


def test_an_abuse_disclosure_in_danger_now_stays_an_emergency_case(settings, tracker_writer):
    urgent = {**CRISIS, "kind": "emergency", "categories": ["abuse_or_unsafe", "intent_or_timeline"]}
    tracker_writer.save("hal", user_event("he said he'll kill me tonight", "safety_abuse", urgent))
    reconcile(settings)
    assert [c["kind"] for c in list_cases(settings)] == ["emergency"]


def test_unflagged_conversations_create_no_case(settings, tracker_writer):
    tracker_writer.save("fay", user_event("this traffic is killing me", "mood_overwhelmed",
                                          {"kind": "none", "escalate": False, "categories": [], "spans": []}))
    assert reconcile(settings) == 0
    assert list_cases(settings) == []


def test_list_cases_filters_by_status(settings):
    record_escalation("gus", time.time(), "crisis", [], [], settings=settings)
    assert len(list_cases(settings, status="new")) == 1
    assert list_cases(settings, status="closed") == []


@pytest.mark.postgres
def test_reconciler_and_cases_work_on_postgresql(tmp_path):
    from bot.settings import load_settings
    from tests.bot.conftest import TrackerWriter
    from tests.postgres import temporary_database

    with temporary_database() as url:
        settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "DATABASE_URL": url})
        from bot.db import migrate
        migrate(settings)
        TrackerWriter(url).save("pg-user", user_event("i want to kill myself", "safety_crisis", CRISIS))
        assert reconcile(settings) == 1
        assert [c["sender_id"] for c in list_cases(settings)] == ["pg-user"]
        from bot.db import get_engine
        get_engine(settings).dispose()
