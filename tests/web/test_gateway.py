"""The chat gateway: what reaches Rasa, what is refused, and the safety net when Rasa cannot answer."""
from __future__ import annotations

import logging
import time

import pytest

from bot.escalations import list_cases
from bot.web.options import WebOptions
from bot.web.unanswered import UnansweredStore
from safety.resources import load_resources
from tests.web.conftest import QUIET, SENDER

RISK = "I want to kill myself"


def unanswered(settings) -> list[dict]:
    return UnansweredStore(settings).read()


def crisis_payload(settings, kind: str = "crisis") -> dict:
    return load_resources(settings.clinic.locale, settings.extra_resources_path).as_payload(kind)


# --- refusals --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sender_id", [
    "alice", "", "3F2B8C1E-5A7D-4E9F-8B2C-1D0E6A4F9B21", "3f2b8c1e-5a7d-1e9f-8b2c-1d0e6a4f9b21",
    "3f2b8c1e5a7d4e9f8b2c1d0e6a4f9b21", "../../etc/passwd", None, 42,
])
def test_sender_ids_must_be_uuid4(client_for, rasa_down, sender_id):
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": sender_id, "message": "hi"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_sender_id"
    assert "Reload the page" in response.json()["message"]


def test_history_refuses_a_bad_sender_id(client_for, rasa_down):
    response = client_for(rasa_down).get("/api/chat/not-a-uuid/history")
    assert response.status_code == 400


def test_malformed_and_empty_requests_are_refused(client_for, rasa_down):
    client = client_for(rasa_down)
    assert client.post("/api/chat", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/chat", json=["a list"]).status_code == 400
    assert client.post("/api/chat", json={"sender_id": SENDER}).status_code == 400
    empty = client.post("/api/chat", json={"sender_id": SENDER, "message": "   "})
    assert (empty.status_code, empty.json()["error"]) == (400, "empty")


def test_messages_over_the_length_cap_get_413_with_a_clear_message(client_for, rasa_down, settings):
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": "a" * 2001})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too_long"
    assert "2000 characters" in body["message"]
    assert "resources" not in body
    assert unanswered(settings) == []


def test_a_huge_body_is_refused_unread(client_for, rasa_down):
    response = client_for(rasa_down).post(
        "/api/chat", content=b'{"sender_id": "x", "message": "' + b"a" * 200_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_an_overlong_risk_message_still_gets_the_resources_and_a_case(client_for, rasa_down, settings):
    text = RISK + ". " + "I have been holding this in for so long. " * 60
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": text})
    assert response.status_code == 413
    body = response.json()
    assert body["resources"]["type"] == "crisis_resources"
    assert body["resources"]["resources"]
    [case] = list_cases(settings)
    assert (case["sender_id"], case["source"]) == (SENDER, "gateway")
    [kept] = unanswered(settings)
    assert kept["text"] == text and kept["reason"] == "refused_too_long"


def test_rate_limit_per_sender_gives_429_with_a_clear_message(client_for, rasa_down):
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, sender_limit=3))
    codes = [client.post("/api/chat", json={"sender_id": SENDER, "message": f"hello {i}"}).status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.post("/api/chat", json={"sender_id": SENDER, "message": "hello again"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"]
    assert "wait a few seconds" in refused.json()["message"]
    other = "9d7c4f3a-2b1e-4c8d-9a6f-5e4d3c2b1a09"
    assert client.post("/api/chat", json={"sender_id": other, "message": "hello"}).status_code == 200


def test_rate_limit_per_address_stops_invented_sender_ids(client_for, rasa_down):
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, address_limit=2))
    senders = ["0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "1a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
               "2a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"]
    codes = [client.post("/api/chat", json={"sender_id": s, "message": "hi"}).status_code for s in senders]
    assert codes == [200, 200, 429]


def test_a_rate_limited_risk_message_gets_the_resources_and_one_case(client_for, rasa_down, settings):
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, sender_limit=1))
    client.post("/api/chat", json={"sender_id": SENDER, "message": "hello"})
    first = client.post("/api/chat", json={"sender_id": SENDER, "message": RISK})
    second = client.post("/api/chat", json={"sender_id": SENDER, "message": RISK + " tonight"})
    assert first.status_code == second.status_code == 429
    assert first.json()["resources"]["resources"]
    assert len(list_cases(settings)) == 1  # a flood of refused messages does not flood the staff


@pytest.mark.parametrize("text", ["/greet", "/safety_crisis", "/restart", " /greet", "/choose_skill{\"skill\":\"x\"}",
                                  "/ I feel awful"])
def test_slash_text_that_is_no_offered_button_payload_is_refused(client_for, rasa_down, text):
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": text})
    assert response.status_code == 400
    assert response.json()["error"] == "slash_command"
    assert "can't start with" in response.json()["message"]


def test_a_slash_risk_message_is_refused_but_gets_the_resources(client_for, rasa_down, settings):
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": "/ " + RISK})
    assert response.status_code == 400
    assert response.json()["resources"]["resources"]
    assert len(list_cases(settings)) == 1


def test_button_payloads_declared_in_the_domain_pass(client_for, rasa_down):
    # Rasa is down here, so a payload that passes the guard gets the fallback (200), not a 400.
    payload = '/choose_skill{"skill":"box_breathing"}'
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": payload})
    assert response.status_code == 200
    assert response.json()["assistant_unavailable"] is True


# --- Rasa down or slow: the safety net -------------------------------------------------------------

def test_rasa_down_a_risk_message_gets_resources_a_case_and_is_kept(client_for, rasa_down, settings):
    before = time.time()
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": RISK})
    assert response.status_code == 200
    body = response.json()
    assert body["assistant_unavailable"] is True
    assert body["reason"] == "unreachable"
    assert body["resources"]["type"] == "crisis_resources"
    assert body["resources"]["resources"]
    assert body["resources"] in [crisis_payload(settings, "crisis"), crisis_payload(settings, "emergency")]
    texts = [m.get("text", "") for m in body["messages"]]
    assert any("isn't available" in t for t in texts)
    assert {"custom": body["resources"]} in body["messages"]

    [case] = list_cases(settings)
    assert case["sender_id"] == SENDER
    assert case["source"] == "gateway"
    assert case["kind"] in ("crisis", "emergency")
    assert case["categories"] and case["rule_ids"]
    assert case["event_timestamp"] >= before

    [kept] = unanswered(settings)
    assert (kept["sender_id"], kept["text"], kept["reason"]) == (SENDER, RISK, "unreachable")
    assert kept["case_created"] is True
    assert kept["received_at"] == case["event_timestamp"]


def test_rasa_down_an_abuse_disclosure_gets_the_abuse_lines_and_an_abuse_case(client_for, rasa_down, settings):
    text = "my stepdad hits me and i'm scared to go home"
    body = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": text}).json()
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    assert body["resources"] == resources.as_payload("crisis", "abuse")
    shown = {r["phone"] for r in body["resources"]["resources"]}
    assert {line.phone for line in resources.lines_for("abuse")} | {resources.emergency_line} == shown
    assert resources.primary_line not in shown
    assert any("not your fault" in m.get("text", "") for m in body["messages"])
    [case] = list_cases(settings)
    assert "abuse_or_unsafe" in case["categories"]


def test_rasa_down_an_ordinary_message_gets_the_notice_and_resources_but_no_case(client_for, rasa_down, settings):
    response = client_for(rasa_down).post("/api/chat", json={"sender_id": SENDER, "message": "hello there"})
    body = response.json()
    assert response.status_code == 200 and body["assistant_unavailable"] is True
    assert body["resources"] == crisis_payload(settings)
    assert list_cases(settings) == []
    [kept] = unanswered(settings)
    assert kept["text"] == "hello there" and kept["case_created"] is False


def test_rasa_slower_than_the_timeout_counts_as_unavailable(client_for, rasa_hangs, settings):
    client = client_for(rasa_hangs, WebOptions(reconcile_every_seconds=None, rasa_timeout_seconds=0.5))
    started = time.monotonic()
    response = client.post("/api/chat", json={"sender_id": SENDER, "message": RISK})
    assert time.monotonic() - started < 5
    body = response.json()
    assert response.status_code == 200
    assert (body["assistant_unavailable"], body["reason"]) == (True, "timeout")
    assert len(list_cases(settings)) == 1


def test_the_default_rasa_timeout_is_ten_seconds():
    assert QUIET.rasa_timeout_seconds == 10.0


def test_status_reports_whether_the_assistant_answers(client_for, rasa_down):
    assert client_for(rasa_down).get("/api/status").json() == {"assistant_available": False}


def test_no_message_text_is_logged(client_for, rasa_down, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, sender_limit=2))
    secret = "I want to kill myself because of Zanzibar"
    for _ in range(3):
        client.post("/api/chat", json={"sender_id": SENDER, "message": secret})
    client.post("/api/chat", json={"sender_id": SENDER, "message": "x" * 3000 + secret})
    assert caplog.records  # the fallback did log something
    for record in caplog.records:
        assert "Zanzibar" not in record.getMessage()


# --- with the real assistant -----------------------------------------------------------------------

@pytest.mark.servers
def test_a_risk_message_the_dialogue_did_not_route_still_leaves_with_the_resources(
    client_for, rasa_without_crisis_card
):
    client = client_for(rasa_without_crisis_card)
    reply = client.post("/api/chat", json={"sender_id": SENDER, "message": "i want to kill myself"}).json()
    assert reply["messages"][0]["text"] == "I'm not sure I follow."
    [card] = [m["custom"] for m in reply["messages"] if "custom" in m]
    assert card["type"] == "crisis_resources"
    assert any(r.get("phone") == "988" for r in card["resources"])
    ordinary = client.post("/api/chat", json={"sender_id": SENDER, "message": "what is cbt"}).json()
    assert all("custom" not in m for m in ordinary["messages"])


def test_a_message_reaches_the_assistant_and_its_reply_comes_back(live):
    response = live.post("/api/chat", json={"sender_id": SENDER, "message": "hello"})
    assert response.status_code == 200
    body = response.json()
    assert "assistant_unavailable" not in body
    assert body["messages"] and all(set(m) <= {"text", "buttons", "custom"} for m in body["messages"])
    assert any(m.get("text") for m in body["messages"])


@pytest.mark.servers
def test_a_risk_message_gets_the_assistants_crisis_card(live):
    sender = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    body = live.post("/api/chat", json={"sender_id": sender, "message": RISK}).json()
    cards = [m["custom"] for m in body["messages"] if m.get("custom", {}).get("type") == "crisis_resources"]
    assert cards, f"no crisis card in the assistant's reply: {body}"


@pytest.mark.servers
def test_live_history_matches_what_the_person_saw(live):
    sender = "5a4e7d2c-9b1f-4c3a-8e6d-2f1a0b9c8d7e"
    replies = live.post("/api/chat", json={"sender_id": sender, "message": "hello"}).json()["messages"]
    history = live.get(f"/api/chat/{sender}/history").json()["messages"]
    assert [m["text"] for m in history if m["sender"] == "user"] == ["hello"]
    # A new session's welcome comes before the user's message in the tracker, and first in the reply.
    bot = [{k: v for k, v in m.items() if k in ("text", "buttons", "custom")} for m in history if m["sender"] == "bot"]
    assert bot == replies
