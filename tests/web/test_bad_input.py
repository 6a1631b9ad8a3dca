"""Every public endpoint with empty, huge, invalid UTF-8, control characters, HTML/script and wrong JSON
types: never a 5xx, a clear 4xx with a message where the input is refused, and nothing stored that breaks
a page read later (the console's unanswered list, message and case pages; the widget's history).
"""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.web import create_app
from bot.web.unanswered import UnansweredStore
from tests.chat_client import in_process_headers
from tests.web.conftest import QUIET, SENDER
from tests.web.console import add_account, sign_in

HUGE = "x" * 200_000
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CONTROL = "hello\x00\x01\x07\x1b[31m\x7f\u202e\u200b world"

BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("whitespace", b"   "),
    ("null", b"null"),
    ("array", b"[]"),
    ("number", b"42"),
    ("string", b'"hello"'),
    ("not json", b"sender_id=a&message=b"),
    ("invalid utf-8", b'{"sender_id": "' + SENDER.encode() + b'", "message": "\xff\xfe\xc3("}'),
    ("invalid utf-8 outside strings", b"\xff\xfe{}"),
    ("truncated", b'{"sender_id": "'),
    ("deeply nested", b"[" * 50_000 + b"]" * 50_000),
    ("deeply nested object", b'{"a":' * 20_000 + b"1" + b"}" * 20_000),
    ("huge", json.dumps({"sender_id": SENDER, "message": HUGE}).encode()),
    ("huge sender", json.dumps({"sender_id": HUGE, "message": "x"}).encode()),
    ("message number", json.dumps({"sender_id": SENDER, "message": 5}).encode()),
    ("message list", json.dumps({"sender_id": SENDER, "message": ["hi"]}).encode()),
    ("message object", json.dumps({"sender_id": SENDER, "message": {"text": "hi"}}).encode()),
    ("message null", json.dumps({"sender_id": SENDER, "message": None}).encode()),
    ("message bool", json.dumps({"sender_id": SENDER, "message": True}).encode()),
    ("sender number", json.dumps({"sender_id": 1, "message": "hi"}).encode()),
    ("sender list", json.dumps({"sender_id": [SENDER], "message": "hi"}).encode()),
    ("another sender", json.dumps({"sender_id": "6b1d5f0e-3c2a-4e8b-9f7d-1a2b3c4d5e6f", "message": "hi"}).encode()),
    ("missing message", json.dumps({"sender_id": SENDER}).encode()),
    ("empty message", json.dumps({"sender_id": SENDER, "message": ""}).encode()),
    ("blank message", json.dumps({"sender_id": SENDER, "message": " \n\t "}).encode()),
    ("slash command", json.dumps({"sender_id": SENDER, "message": "/restart"}).encode()),
    ("nan", b'{"sender_id": "' + SENDER.encode() + b'", "message": NaN}'),
    ("duplicate keys", b'{"sender_id": "' + SENDER.encode() + b'", "message": "a", "message": 7}'),
]
# Messages that are accepted and kept (Rasa is down in these tests: the gateway keeps them itself).
ACCEPTED_TEXTS = [SCRIPT, CONTROL, "\ud800 lone surrogate \udfff", "emoji \U0001f52a and RTL \u202e",
                  "null\x00byte", "tab\tnew\nline\r\n", "i want to kill myself " + SCRIPT]


@pytest.fixture
def app_client(settings, rasa_down):
    with TestClient(create_app(settings, options=QUIET, rasa_url=rasa_down), raise_server_exceptions=False) as client:
        yield client


def assert_clear_refusal(response) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str) and body["message"]


@pytest.mark.parametrize("name,body", BODIES, ids=[name for name, _ in BODIES])
def test_the_chat_gateway_refuses_bad_bodies_clearly(app_client, name, body):
    response = app_client.post("/api/chat", content=body,
                               headers={"Content-Type": "application/json", **in_process_headers(app_client, SENDER)})
    assert response.status_code < 500, (name, response.status_code, response.text[:300])
    if name != "duplicate keys":  # the last "message" (7) wins: refused too
        assert_clear_refusal(response)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""])
def test_the_chat_gateway_refuses_a_body_not_labelled_json(app_client, content_type):
    response = app_client.post("/api/chat", content=json.dumps({"message": "hi"}).encode(),
                               headers={"Content-Type": content_type, **in_process_headers(app_client, SENDER)})
    assert_clear_refusal(response)


@pytest.mark.parametrize("token", ["", "x", "a" * 5000, "<script>", "null", "a.b.c"])
def test_a_bad_conversation_secret_is_a_clear_401(app_client, token):
    for response in (
        app_client.post("/api/chat", json={"message": "hi"}, headers={"X-Chat-Token": token}),
        app_client.get("/api/chat/history", headers={"X-Chat-Token": token}),
        app_client.get("/api/status", cookies={"clinic_chat": token}),
    ):
        assert response.status_code == 401, response.text[:200]
        assert_clear_refusal(response)


@pytest.mark.parametrize("text", ACCEPTED_TEXTS)
def test_odd_text_is_kept_and_every_later_page_still_renders(app_client, settings, text):
    response = app_client.post("/api/chat", json={"message": text}, headers=in_process_headers(app_client, SENDER))
    assert response.status_code == 200, response.text[:300]
    assert response.json()["assistant_unavailable"] is True
    [kept] = UnansweredStore(settings).read(SENDER)
    assert kept["text"].replace("\ufffd", "")  # what they said, minus what cannot be stored
    assert "\x00" not in kept["text"] and not any(0xD800 <= ord(c) <= 0xDFFF for c in kept["text"])
    assert app_client.get("/api/chat/history", headers=in_process_headers(app_client, SENDER)).status_code == 200

    add_account(settings, "reviewer@clinic.example")
    sign_in(app_client, "reviewer@clinic.example")
    listing = app_client.get("/console/unanswered")
    assert listing.status_code == 200
    link = listing.text.split('href="/console/unanswered/')[1].split('"')[0]
    page = app_client.get(f"/console/unanswered/{link}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    for case_link in set(part.split('"')[0] for part in page.text.split('href="/console/cases/')[1:]):
        case_page = app_client.get(f"/console/cases/{case_link}")
        assert case_page.status_code == 200 and "<script>alert" not in case_page.text
    assert app_client.get("/console/cases").status_code == 200


@pytest.mark.parametrize("path", [
    "/api/chat/%FF%FE/history", "/api/chat/%00/history", "/api/chat/" + "a" * 5000 + "/history",
    "/api/chat/%3Cscript%3E/history", "/api/chat/..%2F..%2Fetc%2Fpasswd/history", "/api/chat/%20/history",
    "/api/chat//history", "/api/chat/history?x=%FF%00", "/api/status?x=%3Cscript%3E", "/api/widget-config?locale=%FF", "/api/widget-config?locale=" + "a" * 5000,
    "/api/widget-config?locale=%3Cscript%3E", "/api/widget-config?locale=../../etc/passwd",
    "/api/widget-config?locale=en-US&locale=fr", "/api/status?x=%FF", "/?q=%FF%00", "/privacy?%3Cscript%3E",
    "/console/login?next=%FF", "/console/login?next=javascript:alert(1)", "/console/login?next=//evil.example",
    "/console/login?next=" + "a" * 5000, "/console/search?conversation=%FF%00", "/static/%FF",
    "/static/../../settings.yml", "/%FF", "/console/cases/%FF", "/console/unanswered/%00",
])
def test_get_endpoints_never_fail_on_odd_urls(app_client, path):
    response = app_client.get(path, follow_redirects=False)
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    if path.startswith(("/api/chat/", "/api/status")) and response.status_code != 404:  # 404: no such route
        assert_clear_refusal(response)


@pytest.mark.parametrize("body,content_type", [
    (b"", "application/x-www-form-urlencoded"),
    (b"email=&password=", "application/x-www-form-urlencoded"),
    (b"email=%FF%FE&password=%00", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
    (b"email=" + b"a" * 100_000, "application/x-www-form-urlencoded"),
    (b'{"email": "a@b.c", "password": ["x"]}', "application/json"),
    (b"email=%3Cscript%3Ealert(1)%3C%2Fscript%3E%40x.example&password=x", "application/x-www-form-urlencoded"),
    (b"&".join(b"f%d=1" % i for i in range(1000)), "application/x-www-form-urlencoded"),
])
def test_console_sign_in_refuses_bad_forms_clearly(app_client, body, content_type):
    response = app_client.post("/console/login", content=body, headers={"Content-Type": content_type},
                               follow_redirects=False)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "<script>alert" not in response.text


@pytest.mark.parametrize("next_url", ["javascript:alert(1)", "//evil.example/console/", "https://evil.example/"])
def test_sign_in_never_sends_anyone_off_the_console(app_client, settings, next_url):
    from tests.web.console import PASSWORD, csrf_of

    add_account(settings, "reviewer@clinic.example")
    page = app_client.get("/console/login", params={"next": next_url})
    response = app_client.post("/console/login", data={"csrf_token": csrf_of(page.text), "next": next_url,
                                                       "email": "reviewer@clinic.example", "password": PASSWORD},
                               follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/")


def test_the_refusals_can_fail(app_client):
    """A good message is not refused: the checks above see a real difference."""
    response = app_client.post("/api/chat", json={"message": "hello"}, headers=in_process_headers(app_client, SENDER))
    assert response.status_code == 200
