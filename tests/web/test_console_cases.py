"""Triage in the console: the queue's order and filters, the case page with the transcript from the
tracker store, notes, status history, assignment, presence, export, search and the audit page."""
from __future__ import annotations

import re
import time

import pytest
from rasa.shared.core.events import BotUttered, SlotSet
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.db import get_engine
from bot.models import AuditEntry
from tests.bot.conftest import user_event
from tests.web.console import add_account, new_case, page_csrf, sign_in

ADMIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
RISK = "I can't go on, I want to kill myself tonight"
SAFETY = {
    "kind": "emergency", "escalate": True, "source": "rules",
    "categories": ["active_ideation", "intent_or_timeline"],
    "spans": [
        {"start": RISK.index("kill myself"), "end": RISK.index("kill myself") + len("kill myself"),
         "category": "active_ideation", "rule_id": "active.kill_myself"},
        {"start": RISK.index("tonight"), "end": len(RISK), "category": "intent_or_timeline",
         "rule_id": "timeline.tonight"},
    ],
}
CARD = {"type": "crisis_resources", "kind": "emergency",
        "resources": [{"name": "Emergency services", "phone": "911"}, {"name": "Crisis line", "phone": "988"}]}
PERSON = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def bot(text_: str = None, **data) -> BotUttered:  # type: ignore[assignment]
    return BotUttered(text_, data=data, timestamp=time.time())


@pytest.fixture
def reviewer(console, settings):
    add_account(settings, "reviewer@clinic.example")
    sign_in(console, "reviewer@clinic.example")
    return console


@pytest.fixture
def flagged_case(settings, tracker_writer) -> str:
    start = time.time() - 120
    risk = user_event(RISK, "safety_emergency", SAFETY, at=start + 30)
    tracker_writer.save(
        PERSON,
        user_event("hi", "greet", at=start),
        bot("Hello, I'm here to listen."),
        SlotSet("distress_before", 8, timestamp=start + 10),
        risk,
        bot(None, custom=CARD),
        user_event("<b>are you there</b><script>alert(1)</script>", "greet", at=start + 60),
    )
    return new_case(settings, sender=PERSON, kind="emergency", at=risk.timestamp,
                    categories=SAFETY["categories"], rule_ids=["active.kill_myself", "timeline.tonight"])


def test_queue_is_ordered_by_urgency_then_waiting_time(reviewer, settings):
    now = time.time()
    check_in = new_case(settings, sender="a", kind="check_in", at=now - 900)
    crisis_new = new_case(settings, sender="b", kind="crisis", at=now - 10)
    emergency = new_case(settings, sender="c", kind="emergency", at=now - 5)
    third = new_case(settings, sender="d", kind="crisis", at=now - 800, categories=["third_party_risk"])
    crisis_old = new_case(settings, sender="e", kind="crisis", at=now - 600)
    # created_at is when the case was recorded; make the waiting times differ as they would
    with get_engine(settings).begin() as connection:
        for public_id, ago in ((check_in, 900), (crisis_new, 10), (emergency, 5), (third, 800), (crisis_old, 600)):
            connection.execute(text("UPDATE cases SET created_at = :at WHERE public_id = :id"),
                               {"at": _iso(now - ago), "id": public_id})
    rows = reviewer.get("/console/api/cases").json()["cases"]
    assert [r["id"] for r in rows] == [emergency, crisis_old, crisis_new, third, check_in]
    assert [r["kind"] for r in rows] == ["emergency", "crisis", "crisis", "third_party", "check_in"]
    assert all("score" not in r for r in rows)
    # a "yes" (or a no taken back) to the question about someone else is about them too
    for answered in ("check_in_other_confirmed", "check_in_other_unclear"):
        case = new_case(settings, sender=answered, kind="crisis", categories=[answered, "third_party_risk"])
        assert [r["kind"] for r in reviewer.get("/console/api/cases").json()["cases"] if r["id"] == case] == ["third_party"]
    page = reviewer.get("/console/cases").text
    assert page.index(emergency) < page.index(crisis_old) < page.index(check_in)


def _iso(epoch: float) -> str:
    from datetime import datetime, timezone
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(sep=" ")


def test_queue_filters_by_status_kind_and_assignee(reviewer, settings):
    mine = new_case(settings, sender="a", kind="crisis")
    other = new_case(settings, sender="b", kind="emergency")
    reviewer.post(f"/console/cases/{mine}/assign", data={"csrf_token": page_csrf(reviewer)})
    ids = lambda query: [r["id"] for r in reviewer.get(f"/console/api/cases?{query}").json()["cases"]]  # noqa: E731
    assert ids("assignee=me") == [mine]
    assert ids("assignee=nobody") == [other]
    assert ids("kind=emergency") == [other]
    assert ids("status=in_review") == [mine]  # "assign to me" moved it from new
    assert ids("status=new") == [other]
    reviewer.post(f"/console/cases/{mine}/status", data={"csrf_token": page_csrf(reviewer), "status": "resolved"})
    assert ids("") == [other]  # resolved cases leave the open queue
    assert set(ids("status=all")) == {mine, other}


def test_open_count_is_served_as_json_for_the_page_to_poll(reviewer, settings):
    assert reviewer.get("/console/api/summary").json() == {"open": 0, "new": 0, "failed_alerts": 0}
    new_case(settings)
    assert reviewer.get("/console/api/summary", headers={"X-Console-Poll": "1"}).json()["open"] == 1


def test_case_page_shows_the_whole_transcript_with_the_trigger_highlighted(reviewer, flagged_case):
    page = reviewer.get(f"/console/cases/{flagged_case}").text
    flagged = re.search(r'<li class="msg msg--user msg--flagged"[^>]*>(.*?)</li>', page, re.S).group(1)
    marks = re.findall(r'<mark class="match" title="([^"]+)">([^<]+)<', flagged)
    assert marks == [("thoughts of suicide", "kill myself"), ("intent or a time frame", "tonight")]
    assert "Flagged message" in flagged
    assert "thoughts of suicide; intent or a time frame" in page  # categories in words
    assert "Hello, I&#39;m here to listen." in page  # the assistant's side too
    assert "Emergency resources shown:</strong>\n       Emergency services, Crisis line" in page
    assert "Distress before the exercise: 8/10" in page
    assert "After the flag" in page  # the person's later message is marked
    assert "score" not in page.lower()


def test_message_text_is_rendered_as_text_never_as_html(reviewer, flagged_case):
    page = reviewer.get(f"/console/cases/{flagged_case}").text
    assert "<script>alert(1)</script>" not in page and "<b>are you there" not in page
    assert "&lt;b&gt;are you there&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_case_api_gives_the_same_facts_as_json(reviewer, flagged_case):
    case = reviewer.get(f"/console/api/cases/{flagged_case}").json()
    assert case["kind"] == "emergency"
    [flagged] = [item for item in case["transcript"] if item["flagged"]]
    assert [m["text"] for m in flagged["matches"]] == ["kill myself", "tonight"]
    assert [item["later"] for item in case["transcript"] if item["kind"] == "user"] == [False, False, True]


def test_notes_are_append_only_with_author_and_time(reviewer, flagged_case, settings):
    csrf = page_csrf(reviewer)
    reviewer.post(f"/console/cases/{flagged_case}/notes", data={"csrf_token": csrf, "body": "Called, no answer."})
    reviewer.post(f"/console/cases/{flagged_case}/notes", data={"csrf_token": csrf, "body": "Reached by phone; safe."})
    notes = reviewer.get(f"/console/api/cases/{flagged_case}").json()["notes"]
    assert [n["body"] for n in notes] == ["Called, no answer.", "Reached by phone; safe."]
    assert {n["author"] for n in notes} == {"reviewer@clinic.example"} and all(n["at"] for n in notes)
    empty = reviewer.post(f"/console/cases/{flagged_case}/notes", data={"csrf_token": csrf, "body": "  "})
    assert "The note is empty." in empty.text
    routes = {(m, r.path) for r in reviewer.app.routes for m in getattr(r, "methods", set())}
    assert not any(m in ("PUT", "PATCH", "DELETE") for m, p in routes if p.startswith("/console"))


def test_status_history_records_who_and_when_and_a_false_alarm_records_what_fired(reviewer, flagged_case):
    csrf = page_csrf(reviewer)
    reviewer.post(f"/console/cases/{flagged_case}/assign", data={"csrf_token": csrf})
    reviewer.post(f"/console/cases/{flagged_case}/status", data={"csrf_token": csrf, "status": "contacted"})
    refused = reviewer.post(f"/console/cases/{flagged_case}/status", data={"csrf_token": csrf, "status": "false_alarm"})
    assert "choose which rule or model fired" in refused.text
    reviewer.post(f"/console/cases/{flagged_case}/status",
                  data={"csrf_token": csrf, "status": "false_alarm", "rule": "timeline.tonight"})
    case = reviewer.get(f"/console/api/cases/{flagged_case}").json()
    assert case["status"] == "false_alarm" and case["false_alarm_rule"] == "timeline.tonight"
    assert [(h["change"], h["from"], h["to"]) for h in case["history"]] == [
        ("assign", None, "reviewer@clinic.example"), ("status", "new", "in_review"),
        ("status", "in_review", "contacted"), ("status", "contacted", "false_alarm")]
    assert {h["who"] for h in case["history"]} == {"reviewer@clinic.example"}


def test_another_reviewer_sees_who_is_viewing_a_case(reviewer, other_console, settings, flagged_case):
    add_account(settings, "second@clinic.example")
    sign_in(other_console, "second@clinic.example")
    reviewer.get(f"/console/cases/{flagged_case}")
    page = other_console.get(f"/console/cases/{flagged_case}").text
    assert "Being viewed by reviewer@clinic.example" in page
    queue = other_console.get("/console/api/cases").json()["cases"]
    assert queue[0]["viewed_by"] == ["reviewer@clinic.example"]
    reviewer.post(f"/console/api/cases/{flagged_case}/presence?leaving=1",
                  headers={"X-CSRF-Token": page_csrf(reviewer)})
    assert other_console.get("/console/api/cases").json()["cases"][0]["viewed_by"] == []


def test_export_is_a_printable_page_and_is_audited(reviewer, flagged_case, settings):
    page = reviewer.get(f"/console/cases/{flagged_case}/export")
    assert page.status_code == 200
    assert "Confidential" in page.text and "kill myself" in page.text
    assert '<nav' not in page.text  # no console chrome on paper
    assert ("case_exported", flagged_case) in _audit(settings)


def _audit(settings) -> list[tuple[str, str]]:
    with Session(get_engine(settings)) as db:
        return [(e.action, e.target) for e in db.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]


def test_every_read_and_change_is_audited_without_message_text(reviewer, flagged_case, settings):
    csrf = page_csrf(reviewer)
    reviewer.get(f"/console/cases/{flagged_case}")
    reviewer.post(f"/console/cases/{flagged_case}/notes", data={"csrf_token": csrf, "body": "secret words"})
    reviewer.post(f"/console/cases/{flagged_case}/status", data={"csrf_token": csrf, "status": "resolved"})
    actions = _audit(settings)
    for expected in ("case_viewed", "note_added", "case_status"):
        assert (expected, flagged_case) in actions
    assert ("login", "reviewer@clinic.example") in actions
    with get_engine(settings).connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(text("SELECT * FROM audit_log")))
    assert "kill myself" not in dump and "secret words" not in dump


def test_nobody_can_edit_the_audit_log_even_in_the_database(reviewer, settings):
    with pytest.raises(DBAPIError, match="append-only"):
        with get_engine(settings).begin() as connection:
            connection.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(DBAPIError, match="append-only"):
        with get_engine(settings).begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))


def test_admins_read_and_filter_the_audit_log(console, settings, flagged_case):
    add_account(settings, "admin@clinic.example", role="admin", totp_secret=ADMIN_SECRET)
    sign_in(console, "admin@clinic.example", totp_secret=ADMIN_SECRET)
    console.get(f"/console/cases/{flagged_case}")
    everything = console.get("/console/api/audit").json()
    assert {e["action"] for e in everything["entries"]} >= {"login", "case_viewed"}
    views = console.get("/console/api/audit?action=case_viewed").json()["entries"]
    assert [e["target"] for e in views] == [flagged_case]
    assert console.get("/console/api/audit?actor=nobody").json()["total"] == 0
    page = console.get("/console/audit?action=login").text
    assert "signed in" in page and "admin@clinic.example" in page


def test_find_a_conversation_by_part_of_its_id(reviewer, flagged_case, settings):
    found = reviewer.get(f"/console/search?conversation={PERSON[9:18]}").text
    assert flagged_case in found
    assert flagged_case not in reviewer.get("/console/search?conversation=ffffffff").text
    assert "at least 4 characters" in reviewer.get("/console/search?conversation=7a1").text
    assert ("conversation_searched", None) in _audit(settings)


def test_an_unknown_case_id_is_a_404_after_the_session_check(reviewer):
    assert reviewer.get("/console/cases/not-a-real-case-id").status_code == 404
    assert reviewer.get("/console/api/cases/1").status_code == 404


def test_case_page_shows_the_persons_safety_plan_in_their_words(reviewer, settings, tracker_writer):
    """Issue 12: staff see the plan built in the chat (tracker slots), skipped and unreached steps named."""
    start = time.time() - 300
    sender = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
    risk = user_event(RISK, "safety_crisis", {**SAFETY, "kind": "crisis"}, at=start)
    tracker_writer.save(
        sender,
        risk,
        SlotSet("plan_warning_signs", "I stop replying to <Jo>", timestamp=start + 10),
        SlotSet("plan_coping", "", timestamp=start + 20),
        SlotSet("plan_distractions", "the dog park", timestamp=start + 30),
        SlotSet("plan_people", "an earlier answer", timestamp=start + 35),
        SlotSet("plan_people", "my sister Ana 555 0100", timestamp=start + 40),
    )
    case = new_case(settings, sender=sender, kind="crisis", at=risk.timestamp, categories=["active_ideation"])
    page = reviewer.get(f"/console/cases/{case}").text
    section = re.search(r'<section id="safety-plan".*?</section>', page, re.S).group(0)
    steps = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", section, re.S)
    shown = [(title.split(".")[0], re.sub(r"<[^>]+>", "", answer).strip()) for title, answer in steps]
    assert shown == [("1", "I stop replying to &lt;Jo&gt;"), ("2", "skipped"), ("3", "the dog park"),
                     ("4", "my sister Ana 555 0100"), ("5", "not reached yet"), ("6", "not reached yet")]
    assert reviewer.get(f"/console/api/cases/{case}").json()["safety_plan"][3]["answer"] == "my sister Ana 555 0100"


def test_case_page_has_no_plan_section_when_no_plan_was_made(reviewer, flagged_case):
    assert 'id="safety-plan"' not in reviewer.get(f"/console/cases/{flagged_case}").text


def test_one_case_for_a_conversation_that_escalates_twice_and_the_emergency_raises_it(reviewer, settings,
                                                                                     tracker_writer):
    """Issue 12: a second risk message while the case is open used to open a second case (two rows for one
    person). One row now: the case rises to the emergency, shows it was escalated again and when, and the
    page marks both flagged messages and lists each with what it was flagged as."""
    from bot.escalations import record_escalation

    start = time.time() - 300
    first = user_event("i want to kill myself", "safety_crisis",
                       {"kind": "crisis", "escalate": True, "categories": ["active_ideation"], "spans": []},
                       at=start)
    second = user_event(RISK, "safety_emergency", SAFETY, at=start + 120)
    tracker_writer.save(PERSON, first, bot(None, custom=CARD), user_event("no", "deny", at=start + 60), second,
                        bot(None, custom=CARD))
    crisis = new_case(settings, sender=PERSON, kind="crisis", at=first.timestamp)
    assert record_escalation(PERSON, second.timestamp, "emergency", SAFETY["categories"],
                             ["active.kill_myself", "timeline.tonight"], settings=settings, source="reconciler")
    rows = reviewer.get("/console/api/cases").json()["cases"]
    assert [(r["id"], r["kind"], r["flagged_messages"], r["escalated_again"]) for r in rows] == [
        (crisis, "emergency", 2, True)]
    assert "Escalated again: 2 flagged messages" in reviewer.get("/console/cases").text
    case = reviewer.get(f"/console/api/cases/{crisis}").json()
    assert [e["kind"] for e in case["escalations"]] == ["crisis", "emergency"]
    assert case["escalated_again_at"]
    users = [item for item in case["transcript"] if item["kind"] == "user"]
    assert [(u["flagged"], u["later"]) for u in users] == [(True, False), (False, True), (True, False)]
    page = reviewer.get(f"/console/cases/{crisis}").text
    assert "Escalated again" in page and page.count("Flagged message</strong>") == 2
