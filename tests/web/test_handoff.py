"""Live handoff through the web app's API: join pauses the assistant (Rasa's ConversationPaused), staff
and person talk both ways, one holder at a time with an explicit take-over, hand-back (by the staff
member, or when their page has gone) resumes it and tells the person, and every step is audited.

Rasa here is tests/web/fake_rasa.py (Rasa's own tracker store and pause semantics); the real server
is in tests/e2e/test_handoff_e2e.py and the browser test.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import handoff
from bot.db import get_engine
from bot.models import AuditEntry, Case, CaseEscalation, Handoff
from bot.web import create_app, texts
from tests.bot.conftest import user_event
from tests.chat_client import conversation_headers
from tests.web.conftest import QUIET
from tests.web.console import add_account, new_case, page_csrf, sign_in
from tests.web.fake_rasa import REPLY, FakeRasa

PERSON = "5b0c6f7e-2a1d-4c3b-9e8f-7a6b5c4d3e2f"
SAM, ALEX = "sam@clinic.example", "alex@clinic.example"


@pytest.fixture
def rasa(settings, tracker_writer) -> Iterator[FakeRasa]:
    tracker_writer.save(PERSON, user_event("hello", "greet", at=time.time() - 60))
    with FakeRasa(settings.database_url, settings.rasa_api_token) as fake:
        yield fake


def _app(settings, rasa: FakeRasa) -> TestClient:
    return TestClient(create_app(settings, options=QUIET, rasa_url=rasa.url))


@pytest.fixture
def person(settings, rasa) -> Iterator[TestClient]:
    """The person's widget: it holds the conversation's secret (sent as X-Chat-Token here)."""
    with _app(settings, rasa) as client:
        client.headers.update(conversation_headers(settings, PERSON))
        yield client


@pytest.fixture
def sam(settings, rasa) -> Iterator[TestClient]:
    add_account(settings, SAM)
    with _app(settings, rasa) as client:
        sign_in(client, SAM)
        yield client


@pytest.fixture
def alex(settings, rasa) -> Iterator[TestClient]:
    add_account(settings, ALEX)
    with _app(settings, rasa) as client:
        sign_in(client, ALEX)
        yield client


@pytest.fixture
def case_id(settings) -> str:
    return new_case(settings, sender=PERSON)


def join(client: TestClient, case: str, name: str = "Sam") -> str:
    """Join from the case page; returns the handoff's public id."""
    csrf = page_csrf(client, f"/console/cases/{case}")
    response = client.post(f"/console/cases/{case}/join", data={"csrf_token": csrf, "display_name": name},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def say_as_staff(client: TestClient, public_id: str, text: str):  # type: ignore[no-untyped-def]
    csrf = page_csrf(client, f"/console/handoffs/{public_id}")
    return client.post(f"/console/handoffs/{public_id}/messages", data={"text": text},
                       headers={"X-CSRF-Token": csrf, "Accept": "application/json"})


def person_says(client: TestClient, text: str) -> dict:
    response = client.post("/api/chat", json={"message": text})
    assert response.status_code == 200
    return response.json()


def audit_rows(settings, action: str) -> list[AuditEntry]:
    with Session(get_engine(settings), future=True) as db:
        return list(db.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars())


def handoffs(settings) -> list[Handoff]:
    with Session(get_engine(settings), future=True) as db:
        return list(db.execute(select(Handoff).order_by(Handoff.id)).scalars())


def test_join_pauses_the_assistant_and_the_person_is_told_who_joined(settings, rasa, sam, person, case_id):
    public_id = join(sam, case_id)
    sent = rasa.events_sent(PERSON)
    assert sent[0] == {"event": "pause", "timestamp": sent[0]["timestamp"]}
    assert rasa.paused(PERSON)
    joined = texts.handoff("joined", name="Sam", clinic_name=settings.clinic.name)
    assert sent[1]["text"] == joined and sent[1]["metadata"]["handoff"]["staff_email"] == SAM

    history = person.get("/api/chat/history").json()
    assert {"sender": "system", "text": joined} in [{k: m[k] for k in ("sender", "text")} for m in history["messages"]]
    assert history["handoff"]["present"] is True
    assert history["handoff"]["status"] == texts.handoff("present", name="Sam", clinic_name=settings.clinic.name)

    answer = person_says(person, "is anyone really there?")
    assert [m for m in answer["messages"] if m.get("text")] == []  # no bot reply while a human is in
    assert answer["handoff"]["present"] is True

    page = sam.get(f"/console/handoffs/{public_id}")
    assert "is anyone really there?" in page.text and "The assistant is paused" in page.text
    [row] = audit_rows(settings, "handoff_joined")
    assert row.actor == SAM and row.target == public_id and case_id in row.detail["cases"]


def test_messages_flow_both_ways_and_staff_messages_name_the_account(settings, rasa, sam, person, case_id):
    public_id = join(sam, case_id)
    cursor = person.get("/api/chat/history").json()["cursor"]
    assert say_as_staff(sam, public_id, "Hi, I'm Sam from the clinic. I'm here with you.").json() == {"ok": True}

    update_ = person.get("/api/chat/updates", params={"after": cursor}).json()
    assert update_["messages"] == [{"sender": "staff", "name": texts.handoff("staff_label", name="Sam",
                                    clinic_name=settings.clinic.name),
                                    "text": "Hi, I'm Sam from the clinic. I'm here with you.",
                                    "timestamp": update_["messages"][0]["timestamp"]}]
    console_cursor = sam.get(f"/console/api/handoffs/{public_id}/updates").json()["cursor"]
    person_says(person, "thank you, it helps to talk")
    items = sam.get(f"/console/api/handoffs/{public_id}/updates", params={"after": console_cursor}).json()["items"]
    assert [(i["kind"], i["text"]) for i in items] == [("user", "thank you, it helps to talk")]

    # The transcript of record (case page, export) shows who said what.
    case_page = sam.get(f"/console/cases/{case_id}").text
    assert f"Sam ({SAM}), staff" in case_page and "I&#39;m here with you." in case_page
    assert f"Sam ({SAM}) joined; the assistant paused" in case_page
    assert f"Sam ({SAM}), staff" in sam.get(f"/console/cases/{case_id}/export").text

    [row] = audit_rows(settings, "handoff_message")
    assert row.actor == SAM and row.target == public_id
    assert "here with you" not in str(row.detail) and row.detail == {}


def test_a_risk_message_while_paused_is_flagged_in_the_console_at_once_and_becomes_a_case(settings, rasa, sam, person,
                                                                                         case_id):
    public_id = join(sam, case_id)
    cursor = sam.get(f"/console/api/handoffs/{public_id}/updates").json()["cursor"]
    answer = person_says(person, "honestly I still want to kill myself")
    assert any(m.get("custom", {}).get("type") == "crisis_resources" for m in answer["messages"])  # line stays visible
    update_ = sam.get(f"/console/api/handoffs/{public_id}/updates", params={"after": cursor}).json()
    [item] = update_["items"]
    assert item["flagged"] and item["categories"] == ["thoughts of suicide"]
    assert [s["text"] for s in item["segments"] if s["category"]] == ["kill myself"]
    assert update_["flag_alerts"] == ["Risk message: thoughts of suicide"]
    with Session(get_engine(settings), future=True) as db:
        [case] = db.execute(select(Case).where(Case.sender_id == PERSON)).scalars().all()
        sources = db.execute(select(CaseEscalation.source).where(CaseEscalation.case_id == case.id)
                             .order_by(CaseEscalation.event_timestamp)).scalars().all()
    # recorded at once, on the conversation's open case (one open case per conversation), not as a second case
    assert sources[-1] == "handoff" and len(sources) == 2 and case.escalation_count == 2


def test_one_holder_at_a_time_and_take_over_is_explicit(settings, rasa, sam, alex, case_id):
    public_id = join(sam, case_id)
    # Alex pressing Join lands on the live page held by Sam, with Take over; nothing changed.
    csrf = page_csrf(alex, f"/console/cases/{case_id}")
    response = alex.post(f"/console/cases/{case_id}/join", data={"csrf_token": csrf, "display_name": "Alex"},
                         follow_redirects=False)
    assert response.headers["location"] == f"/console/handoffs/{public_id}"
    page = alex.get(f"/console/handoffs/{public_id}").text
    assert f"{SAM} is in this conversation now" in page and 'id="take-over-button"' in page
    refused = say_as_staff(alex, public_id, "hello from Alex")
    assert refused.status_code == 409 and refused.json()["error"] == "not_holder"
    assert len([h for h in handoffs(settings) if h.ended_at is None]) == 1

    csrf = page_csrf(alex, f"/console/handoffs/{public_id}")
    response = alex.post(f"/console/handoffs/{public_id}/take-over", data={"csrf_token": csrf, "display_name": "Alex"},
                         follow_redirects=False)
    alex_id = response.headers["location"].rsplit("/", 1)[-1]
    assert alex_id != public_id
    rows = handoffs(settings)
    assert [(h.end_reason, h.display_name) for h in rows] == [("taken_over", "Sam"), (None, "Alex")]
    assert rasa.paused(PERSON)  # the assistant stays paused through a take-over
    assert say_as_staff(sam, public_id, "still me").status_code == 409
    assert say_as_staff(alex, alex_id, "Hi, this is Alex").status_code == 200
    assert rasa.events_sent(PERSON)[-2]["text"] == texts.handoff("joined", name="Alex",
                                                                  clinic_name=settings.clinic.name)
    [row] = audit_rows(settings, "handoff_taken_over")
    assert row.actor == ALEX and row.detail["from"] == SAM


def test_hand_back_tells_the_person_and_the_assistant_answers_again(settings, rasa, sam, person, case_id):
    public_id = join(sam, case_id)
    cursor = person.get("/api/chat/history").json()["cursor"]
    csrf = page_csrf(sam, f"/console/handoffs/{public_id}")
    response = sam.post(f"/console/handoffs/{public_id}/hand-back", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and "problem" not in response.headers["location"]
    assert not rasa.paused(PERSON)
    update_ = person.get("/api/chat/updates", params={"after": cursor}).json()
    assert [(m["sender"], m["text"]) for m in update_["messages"]] == [
        ("system", texts.handoff("left", name="Sam")), ("bot", texts.handoff("reentry"))]
    assert update_["handoff"] == {"present": False}
    assert [m["text"] for m in person_says(person, "ok")["messages"]] == [REPLY]
    [row] = audit_rows(settings, "handoff_ended")
    assert row.actor == SAM and row.detail == {"reason": "handed_back"}
    assert "back with the assistant" in sam.get(f"/console/handoffs/{public_id}").text


def test_the_conversation_is_handed_back_when_the_staff_members_page_has_gone(settings, rasa, sam, person, case_id):
    public_id = join(sam, case_id)
    cursor = person.get("/api/chat/history").json()["cursor"]
    fake = handoff.Rasa(rasa.url, settings.rasa_api_token)
    assert handoff.hand_back_stale(settings, fake) == 0  # the page was seen just now
    gone = datetime.now(timezone.utc) - timedelta(seconds=settings.handoff.hand_back_after_seconds + 1)
    with get_engine(settings).begin() as connection:
        connection.execute(update(Handoff).values(seen_at=gone))
    # Two web-app processes' watchers at once: one hand-back, one notice, one audit row.
    assert handoff.hand_back_stale(settings, fake) + handoff.hand_back_stale(settings, fake) == 1
    assert not rasa.paused(PERSON)
    messages = person.get("/api/chat/updates", params={"after": cursor}).json()["messages"]
    assert [m["text"] for m in messages] == [texts.handoff("gone", name="Sam"), texts.handoff("reentry")]
    [row] = audit_rows(settings, "handoff_ended")
    assert row.actor == "system" and row.detail["reason"] == "timeout" and row.detail["holder"] == SAM
    assert [h.end_reason for h in handoffs(settings)] == ["timeout"]
    assert say_as_staff(sam, public_id, "are you there?").status_code == 409
    assert f"Sam ({SAM}) left (console page gone); handed back to the assistant" in sam.get(
        f"/console/handoffs/{public_id}").text


def test_the_holders_open_page_keeps_the_conversation(settings, rasa, sam, case_id):
    public_id = join(sam, case_id)
    almost = datetime.now(timezone.utc) - timedelta(seconds=settings.handoff.hand_back_after_seconds - 2)
    with get_engine(settings).begin() as connection:
        connection.execute(update(Handoff).values(seen_at=almost))
    sam.get(f"/console/api/handoffs/{public_id}/updates")  # the page's push/poll says "still here"
    time.sleep(2.5)
    assert handoff.hand_back_stale(settings, handoff.Rasa(rasa.url, settings.rasa_api_token)) == 0
    assert handoffs(settings)[0].ended_at is None


def test_when_rasa_refuses_nothing_is_half_done_and_a_failed_resume_is_retried(settings, rasa, sam, person, case_id):
    rasa.refuse = True
    csrf = page_csrf(sam, f"/console/cases/{case_id}")
    page = sam.post(f"/console/cases/{case_id}/join", data={"csrf_token": csrf, "display_name": "Sam"})
    assert page.status_code == 400 and "was not paused" in page.text
    assert [h.end_reason for h in handoffs(settings)] == ["join_failed"] and not rasa.paused(PERSON)

    rasa.refuse = False
    public_id = join(sam, case_id)
    say = say_as_staff(sam, public_id, "hello")
    rasa.refuse = True
    refused = say_as_staff(sam, public_id, "this one is not delivered")
    assert refused.status_code == 503 and "still in the box" in refused.json()["message"]
    csrf = page_csrf(sam, f"/console/handoffs/{public_id}")
    response = sam.post(f"/console/handoffs/{public_id}/hand-back", data={"csrf_token": csrf}, follow_redirects=False)
    assert "problem=rasa_down_hand_back" in response.headers["location"]
    assert rasa.paused(PERSON) and handoffs(settings)[-1].resumed_at is None
    rasa.refuse = False
    assert handoff.resume_pending(settings, handoff.Rasa(rasa.url, settings.rasa_api_token)) == 1
    assert not rasa.paused(PERSON) and handoffs(settings)[-1].resumed_at is not None
    assert say.status_code == 200 and len(audit_rows(settings, "handoff_message")) == 1


def test_join_works_outside_opening_hours_and_the_person_is_never_promised_a_person(settings, rasa):
    zone = ZoneInfo(settings.clinic.timezone)
    other_day = (datetime.now(zone) + timedelta(days=2)).strftime("%a")
    closed = settings.copy(update={"clinic": settings.clinic.copy(update={"opening_hours": f"{other_day} 9:00-9:01"})})
    add_account(closed, SAM)
    case = new_case(closed, sender=PERSON)
    with _app(closed, rasa) as client:
        sign_in(client, SAM)
        assert "The clinic is closed now" in client.get(f"/console/cases/{case}").text
        assert join(client, case) and rasa.paused(PERSON)
        config = client.get("/api/widget-config").json()
    promise = re.compile(r"\b(will|going to)\b.{0,40}\b(join|come|contact|reply|be with you)", re.I)
    person_words = [config["notice"], *(v for v in texts._TEXTS.values() if isinstance(v, str))]
    assert not [w for w in person_words if promise.search(w)]


def test_the_live_list_shows_active_conversations_and_who_is_in_them(settings, rasa, sam, alex, case_id):
    page = alex.get("/console/live").text
    assert PERSON[:8] in page and 'name="sender_id"' in page
    public_id = join(sam, case_id)
    page = alex.get("/console/live").text
    assert SAM in page and f"/console/handoffs/{public_id}" in page
    # Joining from the list, for a conversation nobody holds, works the same way.
    other = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a"
    tracker_writer_save = rasa._update  # a second conversation, written as Rasa would
    tracker_writer_save(other, [user_event("hi", "greet")])
    csrf = page_csrf(alex, "/console/live")
    response = alex.post("/console/live/join", data={"csrf_token": csrf, "sender_id": other, "display_name": "Alex"},
                         follow_redirects=False)
    assert response.status_code == 303 and rasa.paused(other)
    unknown = alex.post("/console/live/join", data={"csrf_token": csrf, "sender_id": "nobody-at-all",
                                                     "display_name": "Alex"})
    assert unknown.status_code == 404


def test_the_live_routes_need_a_signed_in_staff_member_and_csrf(settings, rasa, sam, person, case_id):
    public_id = join(sam, case_id)
    assert person.get(f"/console/api/handoffs/{public_id}/updates").status_code == 401
    assert person.get(f"/console/handoffs/{public_id}", follow_redirects=False).status_code == 303
    no_csrf = sam.post(f"/console/handoffs/{public_id}/messages", data={"text": "x"},
                       headers={"Accept": "application/json"})
    assert no_csrf.status_code == 403
    # The widget's side needs the conversation's secret: the id alone (or nothing) reads nothing.
    assert sam.get("/api/chat/updates").status_code == 401
    assert sam.get("/api/chat/updates", params={"sender_id": PERSON}).status_code == 401


def test_an_open_live_page_alone_does_not_keep_the_staff_session_alive(settings, rasa, sam, case_id):
    """Reading (the push stream, polling) is not activity, so the idle sign-out still happens and then
    the hand-back timer runs; sending a message is activity."""
    from bot.models import StaffSession

    public_id = join(sam, case_id)
    long_ago = datetime.now(timezone.utc) - timedelta(minutes=5)
    with get_engine(settings).begin() as connection:
        connection.execute(update(StaffSession).values(last_seen_at=long_ago))

    def last_seen() -> datetime:
        with Session(get_engine(settings), future=True) as db:
            value = db.execute(select(StaffSession.last_seen_at).where(StaffSession.ended_at.is_(None))).scalar_one()
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    sam.get(f"/console/api/handoffs/{public_id}/updates")
    assert last_seen() == long_ago
    say_as_staff(sam, public_id, "still with you")
    assert last_seen() > long_ago
