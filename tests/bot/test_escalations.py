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


# --- one open case per conversation (issue 12) ----------------------------------------------------------

def _escalations(settings, sender_id):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from bot.db import get_engine
    from bot.models import CaseEscalation

    with Session(get_engine(settings), future=True) as session:
        rows = session.execute(select(CaseEscalation).where(CaseEscalation.sender_id == sender_id)
                               .order_by(CaseEscalation.event_timestamp)).scalars().all()
        return [(r.case_id, r.event_timestamp, r.kind, r.categories, r.rule_ids, r.source) for r in rows]


def test_a_second_flagged_message_while_the_case_is_open_is_recorded_on_that_case(settings):
    """Staff saw two rows for one person: the second crisis message now goes on the open case, and
    nothing of it is lost (its own kind, categories, rules and time)."""
    first = time.time() - 60
    assert record_escalation("ivy", first, "crisis", ["active_ideation"], ["active.kill_myself"], settings=settings)
    assert record_escalation("ivy", first + 30, "crisis", ["hopelessness"], ["hope.no_point"], settings=settings,
                             source="reconciler")
    assert not record_escalation("ivy", first + 30, "crisis", ["hopelessness"], [], settings=settings)  # idempotent
    [case] = list_cases(settings)
    assert case["escalation_count"] == 2
    assert case["event_timestamp"] == first  # the case is about the first flagged message
    assert case["categories"] == ["active_ideation", "hopelessness"]
    assert case["rule_ids"] == ["active.kill_myself", "hope.no_point"]
    assert case["escalated_again_at"].startswith(time.strftime("%Y-%m-%dT%H:%M", time.gmtime(first + 30)))
    rows = _escalations(settings, "ivy")
    assert [(r[1], r[2], r[3], r[5]) for r in rows] == [
        (first, "crisis", ["active_ideation"], "action"), (first + 30, "crisis", ["hopelessness"], "reconciler")]
    assert {r[0] for r in rows} == {case["id"]}


def test_an_emergency_after_a_crisis_raises_the_open_case(settings):
    first = time.time() - 60
    record_escalation("jay", first, "crisis", ["active_ideation"], [], settings=settings)
    record_escalation("jay", first + 20, "emergency", ["means_now"], ["em.took"], settings=settings)
    record_escalation("jay", first + 40, "crisis", ["active_ideation"], [], settings=settings)  # never lowered
    [case] = list_cases(settings)
    assert case["kind"] == "emergency"
    assert case["escalation_count"] == 3
    from sqlalchemy.orm import Session

    from bot.db import get_engine
    from bot.models import Case
    with Session(get_engine(settings), future=True) as session:
        assert session.get(Case, case["id"]).raised_at is not None  # the alert worker announces the rise


def test_a_closed_case_is_not_reopened_a_later_message_starts_a_new_one(settings):
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from bot.db import get_engine
    from bot.models import Case

    first = time.time() - 600
    record_escalation("kim", first, "crisis", [], [], settings=settings)
    with Session(get_engine(settings), future=True) as session, session.begin():
        session.execute(update(Case).values(status="resolved"))
    record_escalation("kim", first + 300, "crisis", [], [], settings=settings)
    assert sorted((c["status"], c["escalation_count"]) for c in list_cases(settings)) == [("new", 1), ("resolved", 1)]


def test_whichever_path_records_first_the_case_reads_the_same(settings, tmp_path):
    """Issue 11: the gateway's, the reconciler's and the action server's records coincide. A later message
    recorded before an earlier one (the action server was down for the first) gives the same case."""
    from bot.db import migrate
    from bot.settings import load_settings

    other = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "other-var")})
    migrate(other)
    first = time.time() - 120
    messages = [(first, "crisis", ["active_ideation"], ["a"]), (first + 50, "emergency", ["means_now"], ["b"])]
    for when, kind, categories, rules in messages:
        record_escalation("lee", when, kind, categories, rules, settings=settings)
    for when, kind, categories, rules in reversed(messages):
        record_escalation("lee", when, kind, categories, rules, settings=other, source="gateway")
    keep = ("sender_id", "event_timestamp", "kind", "categories", "rule_ids", "escalation_count", "escalated_again_at")
    [one], [two] = list_cases(settings), list_cases(other)
    assert {k: one[k] for k in keep} == {k: two[k] for k in keep}
    assert one["kind"] == "emergency" and one["escalation_count"] == 2


def test_the_reconciler_puts_a_conversations_second_crisis_on_its_open_case(settings, tracker_writer):
    tracker_writer.save(
        "mo",
        user_event("i want to kill myself", "safety_crisis", CRISIS, at=time.time() - 30),
        bot_action("utter_crisis"),
        bot_action("utter_crisis_resources_card"),
        user_event("i still want to kill myself", "safety_crisis", CRISIS, at=time.time() - 10),
        bot_action("utter_crisis_again"),
        bot_action("utter_crisis_resources_card"),
    )
    assert reconcile(settings) == 2
    [case] = list_cases(settings)
    assert case["escalation_count"] == 2 and case["source"] == "reconciler"
    assert reconcile(settings) == 0
