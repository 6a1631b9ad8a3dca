"""The gateway's limits: work capped before assessing, reads limited too, forwarded addresses believed
only from trusted proxies, and one shared limit across web-app replicas when Redis is configured."""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Optional

import httpx
import pytest

from bot.db import migrate
from bot.settings import load_settings
from bot.web import create_app, gateway
from bot.web.fallback import assess_text
from bot.web.options import WebOptions
from tests.chat_client import in_process_headers, post_chat
from tests.web.conftest import SENDER

RISK = "I want to kill myself"


def options(**changes: Any) -> WebOptions:
    return WebOptions(reconcile_every_seconds=None, alerts=False, **changes)


@pytest.fixture
def assessed(monkeypatch) -> list[int]:
    """The length of every text the gateway assessed."""
    lengths: list[int] = []

    def spy(text: str):
        lengths.append(len(text))
        return assess_text(text)

    monkeypatch.setattr(gateway, "assess_text", spy)
    return lengths


def test_a_body_declared_too_large_is_refused_before_it_is_read(client_for, rasa_down):
    app = client_for(rasa_down).app
    received: list[dict] = []

    async def receive() -> dict:
        received.append({})
        return {"type": "http.request", "body": b"{}", "more_body": False}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    token = in_process_headers(client_for(rasa_down), SENDER)["X-Chat-Token"]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/chat", "raw_path": b"/api/chat", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"10000000"),
                    (b"x-chat-token", token.encode()), (b"host", b"testserver")],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert received == []  # not one chunk of the 10 MB was asked for


def test_the_body_limit_follows_the_message_limit():
    assert options().body_limit < 64 * 1024  # the old limit read up to 64 kB per request
    assert options(max_message_chars=100).body_limit < options().body_limit
    # A message at the limit, every character JSON-escaped as \uXXXX, still fits.
    assert len(('{"message": "' + "\\u00e9" * 2000 + '"}').encode()) <= options().body_limit


def test_an_overlong_message_is_assessed_only_up_to_the_cap(client_for, rasa_down, assessed):
    client = client_for(rasa_down, options())
    text = RISK + ". " + "x" * 9000
    response = post_chat(client, SENDER, text)
    assert response.status_code == 413
    assert response.json()["resources"]["resources"]  # the risk at the start is still found
    assert assessed and max(assessed) <= options().assess_max_chars


def test_a_flood_of_refused_messages_is_not_assessed_but_still_shows_help(client_for, rasa_down, assessed, settings):
    client = client_for(rasa_down, options(sender_limit=1, refused_assess_limit=3))
    post_chat(client, SENDER, "hello")  # accepted (Rasa is down: the fallback assesses it)
    assessed.clear()
    refused = [post_chat(client, SENDER, f"hello {i}") for i in range(8)]
    assert {r.status_code for r in refused} == {429}
    assert len(assessed) == 3  # only the first refusals were assessed
    assert all(r.json()["resources"]["resources"] for r in refused[3:])  # the rest carry help anyway


def test_history_and_status_are_rate_limited_per_conversation(client_for, rasa_down):
    client = client_for(rasa_down, options(read_limit=2))
    mine = in_process_headers(client, SENDER)
    codes = [client.get(path, headers=mine).status_code
             for path in ("/api/chat/history", "/api/status", "/api/chat/history")]
    assert codes == [200, 200, 429]
    refused = client.get("/api/status", headers=mine)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    other = in_process_headers(client, str(uuid.uuid4()))
    assert client.get("/api/chat/history", headers=other).status_code == 200


async def _history_codes(app, peer: str, forwarded_for: list[Optional[str]]) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=(peer, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
        codes = []
        for visitor in forwarded_for:
            headers = in_process_headers(type("C", (), {"app": app})(), str(uuid.uuid4()))
            if visitor:
                headers["X-Forwarded-For"] = visitor
            codes.append((await client.get("/api/chat/history", headers=headers)).status_code)
        return codes


def _app(tmp_path, rasa_down, environ: dict[str, str], **changes: Any):
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "var"), **environ})
    migrate(settings)
    return create_app(settings, options=options(**changes), rasa_url=rasa_down)


def test_forwarded_addresses_are_believed_from_trusted_proxies_only(tmp_path, rasa_down):
    behind_proxy = _app(tmp_path, rasa_down, {"BOT_TRUSTED_PROXIES": "10.0.0.0/8"}, address_limit=2)
    # Three visitors behind the clinic's proxy each have their own address limit ...
    assert asyncio.run(_history_codes(behind_proxy, "10.1.2.3", ["198.51.100.1", "198.51.100.2",
                                                                  "198.51.100.3"])) == [200, 200, 200]
    # ... while one visitor is still one, whatever it puts in front of its own address.
    assert asyncio.run(_history_codes(behind_proxy, "10.1.2.3", ["203.0.113.9", "1.1.1.1, 203.0.113.9",
                                                                  "2.2.2.2, 203.0.113.9"])) == [200, 200, 429]
    # A client that is not a trusted proxy cannot choose its address with the header.
    assert asyncio.run(_history_codes(behind_proxy, "192.0.2.50", ["198.51.100.4", "198.51.100.5",
                                                                    "198.51.100.6"])) == [200, 200, 429]


def test_without_trusted_proxies_the_forwarded_header_is_ignored(tmp_path, rasa_down):
    direct = _app(tmp_path, rasa_down, {}, address_limit=2)
    assert asyncio.run(_history_codes(direct, "127.0.0.1", ["198.51.100.1", "198.51.100.2",
                                                             "198.51.100.3"])) == [200, 200, 429]


def test_trusted_proxies_must_be_addresses_or_networks(tmp_path):
    from bot.settings import SettingsError

    with pytest.raises(SettingsError, match="trusted_proxies"):
        load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_TRUSTED_PROXIES": "proxy.example"})


def test_two_replicas_sharing_redis_share_one_limit(tmp_path, rasa_down):
    """Two web-app processes used to allow the full rate each; with REDIS_URL they count together."""
    from fastapi.testclient import TestClient

    namespace = f"test-{uuid.uuid4()}"
    environ = {"REDIS_URL": "redis://127.0.0.1:6379/0"}
    first = _app(tmp_path / "a", rasa_down, environ, read_limit=2, limiter_namespace=namespace)
    second = _app(tmp_path / "b", rasa_down, environ, read_limit=2, limiter_namespace=namespace)
    with TestClient(first) as a, TestClient(second) as b:
        conversation = str(uuid.uuid4())
        codes = [client.get("/api/chat/history", headers=in_process_headers(client, conversation)).status_code
                 for client in (a, b, a)]
    assert codes == [200, 200, 429]


def test_an_unreachable_redis_lets_people_through(tmp_path, rasa_down, caplog):
    from fastapi.testclient import TestClient

    from bot.supervisor import free_port

    app = _app(tmp_path, rasa_down, {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, read_limit=1)
    with TestClient(app) as client:
        headers = in_process_headers(client, SENDER)
        assert [client.get("/api/chat/history", headers=headers).status_code for _ in range(2)] == [200, 200]
    assert "rate limiter storage failed" in caplog.text
