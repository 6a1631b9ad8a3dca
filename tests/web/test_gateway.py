"""The chat gateway: what reaches Rasa, what is refused, and the safety net when Rasa cannot answer."""
from __future__ import annotations

import logging
import uuid
import time

import pytest

from bot.escalations import list_cases
from bot.web.gateway import valid_sender
from bot.web.options import WebOptions
from bot.web.unanswered import UnansweredStore
from safety.resources import known_locales, load_resources
from tests.bot.conftest import user_event
from tests.web.conftest import QUIET, SENDER
from tests.chat_client import get_history, in_process_headers, post_chat, start_conversation

RISK = "I want to kill myself"


def unanswered(settings) -> list[dict]:
    return UnansweredStore(settings).read()


def crisis_payload(settings, kind: str = "crisis") -> dict:
    return load_resources(settings.clinic.locale, settings.extra_resources_path).as_payload(kind)


# --- the conversation's secret ----------------------------------------------------------------------

def test_starting_a_conversation_gives_an_id_and_an_httponly_cookie_for_the_api_only(client_for, rasa_down):
    client = client_for(rasa_down)
    response = client.post("/api/chat/start", json={})
    assert response.status_code == 201
    body = response.json()
    assert valid_sender(body["conversation_id"]) and body["new"] is True
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("clinic_chat=" + body["token"])
    assert "HttpOnly" in cookie and "Path=/api" in cookie
    # The cookie alone now proves the conversation (like the widget, which never sees the token).
    again = client.post("/api/chat/start", json={})
    assert (again.status_code, again.json()["conversation_id"]) == (200, body["conversation_id"])
    assert client.get("/api/chat/history").json()["messages"] == []
    assert client.get("/api/status").status_code == 200


def test_history_status_and_chat_need_the_conversations_secret(client_for, rasa_down, tracker_writer):
    tracker_writer.save(SENDER, user_event("my private words", "greet"))
    client = client_for(rasa_down)
    for method, path in (("get", "/api/chat/history"), ("get", "/api/status"), ("post", "/api/chat")):
        bare = client.request(method.upper(), path, json={"message": "hi"})
        assert bare.status_code == 401, path
        assert bare.json()["error"] == "no_conversation"
        assert "Reload the page" in bare.json()["message"]
    # The id alone, in the body (as the widget used to send it) or in the old URL, reads nothing.
    assert client.post("/api/chat", json={"sender_id": SENDER, "message": "hi"}).status_code == 401
    assert client.get(f"/api/chat/{SENDER}/history").status_code == 404
    # A forged or tampered token is no better than none.
    token = in_process_headers(client, SENDER)["X-Chat-Token"]
    for forged in (SENDER, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 5000):
        assert client.get("/api/chat/history", headers={"X-Chat-Token": forged}).status_code == 401
    assert "my private words" in str(get_history(client, SENDER).json())


def test_another_web_app_key_cannot_read_a_conversation(client_for, rasa_down, tracker_writer, tmp_path):
    from bot.web.conversation import ConversationTokens

    tracker_writer.save(SENDER, user_event("my private words", "greet"))
    other = ConversationTokens("another-clinics-key").sign(SENDER)
    response = client_for(rasa_down).get("/api/chat/history", headers={"X-Chat-Token": other})
    assert response.status_code == 401


def test_a_body_naming_another_conversation_is_refused(client_for, rasa_down):
    client = client_for(rasa_down)
    other = "9d7c4f3a-2b1e-4c8d-9a6f-5e4d3c2b1a09"
    response = client.post("/api/chat", json={"sender_id": other, "message": "hi"},
                           headers=in_process_headers(client, SENDER))
    assert (response.status_code, response.json()["error"]) == (400, "bad_sender_id")


def test_forget_clears_the_cookie_and_the_next_start_is_a_new_conversation(client_for, rasa_down):
    client = client_for(rasa_down)
    first = client.post("/api/chat/start", json={}).json()["conversation_id"]
    forgotten = client.post("/api/chat/forget")
    assert forgotten.status_code == 204
    assert 'clinic_chat=""' in forgotten.headers["set-cookie"] and "Max-Age=0" in forgotten.headers["set-cookie"]
    assert client.get("/api/chat/history").status_code == 401
    assert client.post("/api/chat/start", json={}).json()["conversation_id"] != first


def test_posts_must_be_json_so_browsers_ask_before_sending_cookies(client_for, rasa_down):
    client = client_for(rasa_down)
    _, headers = start_conversation(client)
    form = client.post("/api/chat", content=b'{"message": "hi"}', headers={**headers, "Content-Type": "text/plain"})
    assert form.status_code == 415
    assert client.post("/api/chat/start", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415


def test_the_tiny_client_helper_talks_to_the_gateway(client_for, rasa_down, settings):
    from tests.chat_client import conversation_headers, send

    client = client_for(rasa_down)
    conversation_id, headers = start_conversation(client)
    assert send(client, headers, "hello").json()["assistant_unavailable"] is True
    assert get_history(client, conversation_id).status_code == 200
    assert client.get("/api/chat/history", headers=conversation_headers(settings, conversation_id)).status_code == 200


def test_no_chat_route_carries_a_conversation_id_in_its_url(client_for, rasa_down):
    """Access logs record paths: no API path may have a parameter (the old history URL had the id)."""
    app = client_for(rasa_down).app
    paths = [route.path for route in app.routes if getattr(route, "path", "").startswith("/api/")]
    assert "/api/chat/history" in paths
    assert [p for p in paths if "{" in p] == []


# --- refusals --------------------------------------------------------------------------------------

def test_the_history_route_takes_no_id(client_for, rasa_down):
    response = client_for(rasa_down).get("/api/chat/not-a-uuid/history")
    assert response.status_code == 404


def test_malformed_and_empty_requests_are_refused(client_for, rasa_down):
    client = client_for(rasa_down)
    headers = in_process_headers(client, SENDER)
    assert client.post("/api/chat", content=b"{not json", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    assert client.post("/api/chat", json=["a list"], headers=headers).status_code == 400
    assert client.post("/api/chat", json={}, headers=headers).status_code == 400
    empty = post_chat(client, SENDER, "   ")
    assert (empty.status_code, empty.json()["error"]) == (400, "empty")


def test_messages_over_the_length_cap_get_413_with_a_clear_message(client_for, rasa_down, settings):
    response = post_chat(client_for(rasa_down), SENDER, "a" * 2001)
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too_long"
    assert "2000 characters" in body["message"]
    assert "resources" not in body
    assert unanswered(settings) == []


def test_a_huge_body_is_refused_unread(client_for, rasa_down):
    client = client_for(rasa_down)
    response = client.post(
        "/api/chat", content=b'{"message": "' + b"a" * 200_000 + b'"}',
        headers={**in_process_headers(client, SENDER), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_an_overlong_risk_message_still_gets_the_resources_and_a_case(client_for, rasa_down, settings):
    text = RISK + ". " + "I have been holding this in for so long. " * 60
    response = post_chat(client_for(rasa_down), SENDER, text)
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
    codes = [post_chat(client, SENDER, f"hello {i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = post_chat(client, SENDER, "hello again")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"]
    assert "wait a few seconds" in refused.json()["message"]
    other = "9d7c4f3a-2b1e-4c8d-9a6f-5e4d3c2b1a09"
    assert post_chat(client, other, "hello").status_code == 200


def test_rate_limit_per_address_stops_invented_sender_ids(client_for, rasa_down):
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, address_limit=2))
    senders = ["0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "1a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
               "2a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"]
    codes = [post_chat(client, s, "hi").status_code for s in senders]
    assert codes == [200, 200, 429]


def test_a_rate_limited_risk_message_gets_the_resources_and_one_case(client_for, rasa_down, settings):
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, sender_limit=1))
    post_chat(client, SENDER, "hello")
    first = post_chat(client, SENDER, RISK)
    second = post_chat(client, SENDER, RISK + " tonight")
    assert first.status_code == second.status_code == 429
    assert first.json()["resources"]["resources"]
    assert len(list_cases(settings)) == 1  # a flood of refused messages does not flood the staff


@pytest.mark.parametrize("text", ["/greet", "/safety_crisis", "/restart", " /greet", "/choose_skill{\"skill\":\"x\"}", "///"])
def test_slash_text_that_is_no_offered_button_payload_is_refused(client_for, rasa_down, text):
    response = post_chat(client_for(rasa_down), SENDER, text)
    assert response.status_code == 400
    assert response.json()["error"] == "slash_command"
    assert "can't start with" in response.json()["message"]


@pytest.mark.parametrize("text", ["/ I feel awful", "/r/depression helped me a bit today"])
def test_words_that_start_with_a_slash_go_on_without_it(client_for, rasa_down, text):
    """Not an intent someone forged: a person's words, which Rasa would have read as one. Not bounced (Rasa is down
    here, so the fallback answers)."""
    response = post_chat(client_for(rasa_down), SENDER, text)
    assert response.status_code == 200
    assert response.json()["assistant_unavailable"] is True


def test_a_risk_message_that_starts_with_a_slash_gets_the_resources_and_a_case(client_for, rasa_down, settings):
    response = post_chat(client_for(rasa_down), SENDER, "/ " + RISK)
    assert response.status_code == 200
    assert response.json()["resources"]["resources"]
    assert len(list_cases(settings)) == 1


def test_button_payloads_declared_in_the_domain_pass(client_for, rasa_down):
    # Rasa is down here, so a payload that passes the guard gets the fallback (200), not a 400.
    payload = '/choose_skill{"skill":"box_breathing"}'
    response = post_chat(client_for(rasa_down), SENDER, payload)
    assert response.status_code == 200
    assert response.json()["assistant_unavailable"] is True


# --- Rasa down or slow: the safety net -------------------------------------------------------------

def test_rasa_down_a_risk_message_gets_resources_a_case_and_is_kept(client_for, rasa_down, settings):
    before = time.time()
    response = post_chat(client_for(rasa_down), SENDER, RISK)
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
    body = post_chat(client_for(rasa_down), SENDER, text).json()
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    assert body["resources"] == resources.as_payload("crisis", "abuse", "child")
    shown = {r["phone"] for r in body["resources"]["resources"]}
    assert {line.phone for line in resources.lines_for("abuse")} | {resources.emergency_line} == shown
    assert resources.primary_line not in shown
    assert any("not your fault" in m.get("text", "") for m in body["messages"])
    [case] = list_cases(settings)
    assert "abuse_or_unsafe" in case["categories"]


def test_rasa_down_an_older_person_who_is_hurt_sees_the_lines_for_older_people_first(client_for, rasa_down, settings):
    text = "im 84 and my son takes my pension and shouts at me, im scared of him"
    body = post_chat(client_for(rasa_down), SENDER, text).json()
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    first = next(r for r in resources.resources if r.name == body["resources"]["resources"][0]["name"])
    assert "older_adult" in first.serves
    assert body["resources"] == resources.as_payload("crisis", "abuse", "older_adult")


def test_rasa_down_an_ordinary_message_gets_the_notice_and_resources_but_no_case(client_for, rasa_down, settings):
    response = post_chat(client_for(rasa_down), SENDER, "hello there")
    body = response.json()
    assert response.status_code == 200 and body["assistant_unavailable"] is True
    assert body["resources"] == crisis_payload(settings)
    assert list_cases(settings) == []
    [kept] = unanswered(settings)
    assert kept["text"] == "hello there" and kept["case_created"] is False


def test_rasa_slower_than_the_timeout_counts_as_unavailable(client_for, rasa_hangs, settings):
    client = client_for(rasa_hangs, WebOptions(reconcile_every_seconds=None, rasa_timeout_seconds=0.5))
    started = time.monotonic()
    response = post_chat(client, SENDER, RISK)
    assert time.monotonic() - started < 5
    body = response.json()
    assert response.status_code == 200
    assert (body["assistant_unavailable"], body["reason"]) == (True, "timeout")
    assert len(list_cases(settings)) == 1


def test_the_default_rasa_timeout_is_ten_seconds():
    assert QUIET.rasa_timeout_seconds == 10.0


def test_status_reports_whether_the_assistant_answers(client_for, rasa_down):
    client = client_for(rasa_down)
    status = client.get("/api/status", headers=in_process_headers(client, SENDER))
    assert status.json() == {"assistant_available": False}


def test_no_message_text_is_logged(client_for, rasa_down, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(rasa_down, WebOptions(reconcile_every_seconds=None, sender_limit=2))
    secret = "I want to kill myself because of Zanzibar"
    for _ in range(3):
        post_chat(client, SENDER, secret)
    post_chat(client, SENDER, "x" * 3000 + secret)
    assert caplog.records  # the fallback did log something
    for record in caplog.records:
        assert "Zanzibar" not in record.getMessage()


# --- with the real assistant -----------------------------------------------------------------------

@pytest.mark.servers
def test_a_risk_message_the_dialogue_did_not_route_still_leaves_with_the_resources(
    client_for, rasa_without_crisis_card, settings
):
    client = client_for(rasa_without_crisis_card)
    reply = post_chat(client, SENDER, "i want to kill myself").json()
    assert reply["messages"][0]["text"] == "I'm not sure I follow."
    [card] = [m["custom"] for m in reply["messages"] if "custom" in m]
    assert card["type"] == "crisis_resources"
    assert any(r.get("phone") == load_resources(settings.clinic.locale).primary_line for r in card["resources"])
    ordinary = post_chat(client, SENDER, "what is cbt").json()
    assert all("custom" not in m for m in ordinary["messages"])


def test_a_message_reaches_the_assistant_and_its_reply_comes_back(live):
    response = post_chat(live, SENDER, "hello")
    assert response.status_code == 200
    body = response.json()
    assert "assistant_unavailable" not in body
    assert body["messages"] and all(set(m) <= {"text", "buttons", "custom"} for m in body["messages"])
    assert any(m.get("text") for m in body["messages"])


@pytest.mark.servers
def test_a_risk_message_gets_the_assistants_crisis_card(live):
    sender = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    body = post_chat(live, sender, RISK).json()
    cards = [m["custom"] for m in body["messages"] if m.get("custom", {}).get("type") == "crisis_resources"]
    assert cards, f"no crisis card in the assistant's reply: {body}"


@pytest.mark.servers
def test_live_history_matches_what_the_person_saw(live):
    sender = "5a4e7d2c-9b1f-4c3a-8e6d-2f1a0b9c8d7e"
    replies = post_chat(live, sender, "hello").json()["messages"]
    history = get_history(live, sender).json()["messages"]
    assert [m["text"] for m in history if m["sender"] == "user"] == ["hello"]
    # A new session's welcome comes before the user's message in the tracker, and first in the reply.
    bot = [{k: v for k, v in m.items() if k in ("text", "buttons", "custom")} for m in history if m["sender"] == "bot"]
    assert bot == replies


# --- one message, one case, whoever records it ------------------------------------------------------

@pytest.fixture
def rasa_too_slow():
    """A Rasa that answers after the gateway gave up, having processed the message all the same:
    it remembers what the gateway sent (the tests then write the tracker event Rasa would have)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            time.sleep(1.0)
            body = b"[]"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_a_message_that_timed_out_but_was_processed_makes_one_case(client_for, rasa_too_slow, settings, tracker_writer):
    from bot.escalations import reconcile
    from tests.bot.conftest import bot_action

    url, received = rasa_too_slow
    client = client_for(url, WebOptions(reconcile_every_seconds=None, alerts=False, rasa_timeout_seconds=0.3))
    assert post_chat(client, SENDER, RISK).json()["assistant_unavailable"] is True
    [gateway_case] = list_cases(settings)
    # Rasa processed it after all: its tracker event carries what the gateway sent with the message.
    [sent] = received
    time.sleep(0.05)
    event = user_event(RISK, "safety_crisis", {"kind": "crisis", "escalate": True, "categories": ["active_ideation"],
                                               "spans": [{"rule_id": "active.kill_myself"}]})
    event.metadata = sent["metadata"]
    tracker_writer.save(SENDER, event, bot_action("utter_crisis_resources_card"))
    assert event.timestamp != gateway_case["event_timestamp"]  # the tracker's own time differs ...
    assert reconcile(settings) == 0  # ... yet the reconciler finds the gateway's case: one message, one case
    assert [case["id"] for case in list_cases(settings)] == [gateway_case["id"]]


def test_no_path_records_a_case_of_kind_none():
    from bot.case_identity import CASE_KINDS, INTENT_KINDS, case_kind

    intents = [None, "greet", "affirm", "safety_check_in", *INTENT_KINDS]
    assessments = [None, {}] + [
        {"kind": kind, "escalate": escalate, "categories": categories}
        for kind in ("none", "check_in", "crisis", "emergency")
        for escalate in (True, False)
        for categories in ([], ["abuse_or_unsafe"], ["active_ideation"])
    ]
    kinds = {case_kind(intent, assessment) for intent in intents for assessment in assessments}
    assert kinds - {None} <= set(CASE_KINDS)
    assert case_kind("safety_crisis", {"kind": "none", "escalate": False}) == "crisis"
    assert case_kind(None, {"kind": "crisis", "escalate": True, "categories": ["abuse_or_unsafe"]}) == "abuse"


def test_a_conversation_keeps_the_locale_it_started_with_in_every_card(client_for, rasa_down, settings):
    """data-locale used to change only the widget's header; the gateway's cards used the clinic's."""
    other = next(locale for locale in known_locales() if locale != settings.clinic.locale)
    theirs = load_resources(other)
    client = client_for(rasa_down)
    started = client.post("/api/chat/start", json={"locale": other}).json()
    assert started["locale"] == other
    headers = {"X-Chat-Token": started["token"]}
    fallback = client.post("/api/chat", json={"message": RISK}, headers=headers).json()
    assert fallback["resources"] in (theirs.as_payload("crisis"), theirs.as_payload("emergency"))
    refused = client.post("/api/chat", json={"message": RISK + " " + "x" * 3000}, headers=headers).json()
    assert refused["resources"] in (theirs.as_payload("crisis"), theirs.as_payload("emergency"))
    # The cookie holds it too, and a later start keeps it.
    assert client.post("/api/chat/start", json={"locale": settings.clinic.locale}).json()["locale"] == other


def test_an_unknown_locale_starts_a_conversation_in_the_clinics(client_for, rasa_down, settings):
    client = client_for(rasa_down)
    assert client.post("/api/chat/start", json={"locale": "xx-YY"}).json()["locale"] == settings.clinic.locale
    assert client.post("/api/chat/forget").status_code == 204
    assert client.post("/api/chat/start", json={"locale": ["en-GB"]}).json()["locale"] == settings.clinic.locale


def test_the_locale_goes_to_rasa_with_every_message(client_for, rasa_too_slow, settings):
    other = next(locale for locale in known_locales() if locale != settings.clinic.locale)
    url, received = rasa_too_slow
    client = client_for(url, WebOptions(reconcile_every_seconds=None, alerts=False, rasa_timeout_seconds=0.3))
    _, headers = start_conversation(client, locale=other)
    post = client.post("/api/chat", json={"message": "hello"}, headers=headers)
    assert post.status_code == 200
    assert received[0]["metadata"]["locale"] == other


def test_a_risk_message_goes_to_rasa_flagged_an_ordinary_one_does_not(client_for, rasa_too_slow):
    """The flag lets action_session_start leave the introduction to the crisis reply when a session's
    first message carries risk (no "How are you doing today?" before it)."""
    url, received = rasa_too_slow
    client = client_for(url, WebOptions(reconcile_every_seconds=None, alerts=False, rasa_timeout_seconds=0.3))
    _, headers = start_conversation(client)
    client.post("/api/chat", json={"message": "i want to kill myself"}, headers=headers)
    client.post("/api/chat", json={"message": "my mom is going to kill me when she sees my grades"}, headers=headers)
    assert [m["metadata"].get("at_risk", False) for m in received] == [True, False]


@pytest.mark.servers
def test_a_first_message_in_crisis_gets_the_crisis_reply_first_and_is_not_asked_how_they_are(live):
    """Through the web app, as the widget talks: the first reply to "i want to kill myself" is the crisis
    reply, which says it is an automated assistant; nobody asks "How are you doing today?"."""
    body = post_chat(live, str(uuid.uuid4()), "i want to kill myself").json()
    texts = [m["text"] for m in body["messages"] if m.get("text")]
    assert "automated assistant" in texts[0]
    assert "thank you for telling me" in texts[0].lower()
    assert not any("how are you" in t.lower() for t in texts)
    assert any(m.get("custom", {}).get("type") == "crisis_resources" for m in body["messages"])


@pytest.mark.servers
@pytest.mark.parametrize("idiom", ["my mom is going to kill me when she sees my grades", "this exam is killing me lol"])
def test_an_everyday_figure_of_speech_gets_a_caring_reply_not_the_fallback_nor_the_crisis_lines(live, idiom):
    sender = str(uuid.uuid4())
    post_chat(live, sender, "hi")
    body = post_chat(live, sender, idiom).json()
    text = " ".join(m.get("text", "") for m in body["messages"])
    assert "feeling" in text.lower()  # the reflection names a feeling (anxious, overwhelmed)
    assert "not sure I understood" not in text and "didn't quite follow" not in text
    assert not any(m.get("custom") for m in body["messages"])  # no crisis card


@pytest.mark.servers
def test_yes_after_a_reflection_answers_what_it_said(live):
    """Issue 12: "yeah pretty much" after a reflection that asked an open question used to open the exercise
    menu. Through the real Rasa and action servers: the menu (with buttons) only after an offered exercise,
    a listening reply after a question. The first reflection of a conversation always listens (a question);
    from the second the action picks at random, so several conversations see both."""
    seen = set()
    for _ in range(12):
        sender = str(uuid.uuid4())
        post_chat(live, sender, "hi")
        first = " ".join(m.get("text", "") for m in post_chat(live, sender, "i feel really low").json()["messages"])
        assert "exercise" not in first.lower(), first
        assert not any(m.get("buttons") for m in post_chat(live, sender, "yeah pretty much").json()["messages"])
        reflection = " ".join(m.get("text", "") for m in post_chat(live, sender, "i feel so lonely lately").json()["messages"])
        offered = "exercise" in reflection.lower()
        reply = post_chat(live, sender, "yeah pretty much").json()["messages"]
        menu = any(m.get("buttons") for m in reply)
        assert menu == offered, (reflection, reply)
        seen.add(offered)
        if seen == {True, False}:
            break
    assert seen == {True, False}  # 12 coin tosses all alike: 1 in 2048
