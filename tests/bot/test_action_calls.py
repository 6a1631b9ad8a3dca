"""bot.action_calls: action-server calls on a kept session with the domain encoded once send the same
bytes, get the same results and fail the same way as stock Rasa's; anything else is Rasa's own call."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot import action_calls, rasa_main

ROOT = Path(__file__).resolve().parents[2]
STOCK_REQUEST = getattr(EndpointConfig.request, "_bot_original", EndpointConfig.request)
# An action of ours that gets the domain (send_domain in domain.yml) and one that does not.
WITH_DOMAIN, WITHOUT_DOMAIN = "action_reflect_feeling", "action_read_rating"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


_EVENTS = [  # made once: the same timestamps in every body
    ActionExecuted("action_listen"),
    UserUttered("ça va? — not great", {"name": "mood_low", "confidence": 0.9}),
    SlotSet("emotion", "sad"),
]


def _tracker() -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", _EVENTS)


def test_our_domain_is_sent_to_the_actions_that_ask_for_it(domain):
    assert domain.does_custom_action_explicitly_need_domain(WITH_DOMAIN)
    assert not domain.does_custom_action_explicitly_need_domain(WITHOUT_DOMAIN)


@pytest.mark.parametrize("name", [WITH_DOMAIN, WITHOUT_DOMAIN])
def test_the_body_is_the_bytes_aiohttp_would_send(domain, name):
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook", enable_selective_domain=True)
    body = RemoteAction(name, endpoint)._action_call_format(_tracker(), domain)
    assert ("domain" in body) == (name == WITH_DOMAIN)
    encoded = action_calls.EncodedDomain()
    for _ in range(2):  # the second time from the kept encoding
        assert action_calls.encode_body(body, encoded) == json.dumps(body).encode("utf-8")


def test_the_domain_is_encoded_once_per_domain_object(monkeypatch):
    encoded = action_calls.EncodedDomain()
    first, second = {"responses": {"utter_x": [{"text": "é"}]}}, {"responses": {}}
    calls = []
    real_dumps = json.dumps
    monkeypatch.setattr(action_calls.json, "dumps", lambda value, *a, **k: calls.append(value) or real_dumps(value))
    assert encoded.encode(first) == real_dumps(first)
    encoded.encode(first)
    assert calls == [first]
    assert encoded.encode(second) == real_dumps(second)  # another domain object: encoded again
    assert encoded.encode(first) == real_dumps(first)


@pytest.mark.parametrize("body", [
    {"domain": {"a": 1}},
    {"next_action": "x", "domain": {"a": "ü"}, "version": "3.6.21"},  # the domain not last: plain json.dumps
    {"next_action": "x", "domain": None},
    {"next_action": "x", "tracker": {"events": [1.5, None, True]}, "domain": {"b": ["\u2028", "\"q\""]}},
])
def test_other_shapes_encode_as_json_dumps(body):
    assert action_calls.encode_body(body, action_calls.EncodedDomain()) == json.dumps(body).encode("utf-8")


class FakeActionServer:
    """An aiohttp server answering each POST with the next (status, body, content type) and recording
    the request bodies and the client port of each request (one port: one kept connection)."""

    def __init__(self, answers: list[tuple[int, Any, str]]) -> None:
        self.answers = answers
        self.bodies: list[bytes] = []
        self.peers: list[int] = []
        self.content_types: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        self.peers.append(request.transport.get_extra_info("peername")[1])
        self.content_types.append(request.headers.get("Content-Type", ""))
        status, body, content_type = self.answers[(len(self.bodies) - 1) % len(self.answers)]
        text = body if isinstance(body, str) else json.dumps(body)
        return web.Response(status=status, text=text, content_type=content_type)


def _run_calls(request: Callable[..., Any], answers: list[tuple[int, Any, str]], domain: Domain,
               name: str = WITH_DOMAIN, calls: int = 2) -> tuple[FakeActionServer, list[Any]]:
    """`calls` runs of RemoteAction `name` against a fake action server, with EndpointConfig.request =
    `request`; each outcome is the events or (exception type, message)."""
    server = FakeActionServer(answers)

    async def main() -> list[Any]:
        app = web.Application()
        app.router.add_post("/webhook", server.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", enable_selective_domain=True)
        outcomes = []
        try:
            for _ in range(calls):
                try:
                    outcomes.append(await RemoteAction(name, endpoint).run(
                        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                        _tracker(), domain))
                except Exception as error:  # noqa: BLE001 - the comparison is the point
                    outcomes.append((type(error), str(error)))
        finally:
            sessions = getattr(request, "_sessions", None)
            if sessions is not None:
                await sessions.close()
            await runner.cleanup()
        return outcomes

    original = EndpointConfig.request
    EndpointConfig.request = request  # type: ignore[method-assign]
    try:
        return server, asyncio.run(main())
    finally:
        EndpointConfig.request = original  # type: ignore[method-assign]


def _ours() -> Callable[..., Any]:
    """Our request with its own sessions, closed as Rasa's server closes them when it stops."""
    sessions = action_calls.Sessions()
    request = action_calls.make_request(STOCK_REQUEST, sessions, action_calls.EncodedDomain())
    request._sessions = sessions  # type: ignore[attr-defined]
    return request


VALID_ANSWER = (200, {"events": [{"event": "slot", "name": "emotion", "value": "low", "timestamp": 1.0},
                                 {"event": "action", "name": "action_listen", "timestamp": 2.0}]}, "application/json")


@pytest.mark.parametrize("name", [WITH_DOMAIN, WITHOUT_DOMAIN])
def test_same_bytes_same_events_and_one_kept_connection(domain, name):
    stock_server, stock = _run_calls(STOCK_REQUEST, [VALID_ANSWER], domain, name)
    our_server, ours = _run_calls(_ours(), [VALID_ANSWER], domain, name)
    assert [json.loads(b) for b in our_server.bodies] == [json.loads(b) for b in stock_server.bodies]
    assert our_server.bodies == stock_server.bodies  # byte for byte
    assert our_server.content_types == stock_server.content_types == ["application/json"] * 2
    assert [[e.as_dict() for e in events] for events in ours] == [[e.as_dict() for e in events] for events in stock]
    assert [type(e).__name__ for e in ours[0]] == ["SlotSet", "ActionExecuted"]
    assert len(set(stock_server.peers)) == 2  # stock Rasa: a new connection per call
    assert len(set(our_server.peers)) == 1  # ours: one kept connection


INVALID_ANSWERS = [
    (200, [], "application/json"),
    (200, {"events": {"event": "slot"}}, "application/json"),
    (200, {"events": [{"event": "no_such_event"}]}, "application/json"),
    (200, {"responses": ["utter_greet"]}, "application/json"),
    (200, "not json at all", "text/plain"),  # no JSON content type: None, rejected by the validator
    (400, {"action_name": WITH_DOMAIN, "error": "rejected"}, "application/json"),
    (500, {"error": "boom"}, "application/json"),
    (404, "missing", "text/plain"),
]


@pytest.mark.parametrize("validator", ["stock", "compiled"])
@pytest.mark.parametrize("answer", INVALID_ANSWERS)
def test_an_invalid_or_failed_response_fails_exactly_as_before(domain, answer, validator, monkeypatch):
    if validator == "compiled":
        monkeypatch.setattr(RemoteAction, "_validate_action_result",
                            rasa_main.make_validate_action_result(RemoteAction.action_response_format_spec()))
    _, stock = _run_calls(STOCK_REQUEST, [answer], domain, calls=1)
    _, ours = _run_calls(_ours(), [answer], domain, calls=1)
    assert ours == stock
    assert isinstance(ours[0], tuple) and issubclass(
        ours[0][0], (jsonschema.ValidationError, ActionExecutionRejection, RasaException))


def test_other_endpoint_calls_go_through_rasas_function():
    seen = []

    async def original(self: Any, method: str = "post", subpath: Any = None, content_type: Any = "application/json",
                       compress: bool = False, **kwargs: Any) -> Any:
        seen.append((method, subpath, content_type, compress, kwargs))
        return "rasa's"

    request = action_calls.make_request(original, action_calls.Sessions(), action_calls.EncodedDomain())
    endpoint = EndpointConfig("http://127.0.0.1:1/")
    assert asyncio.run(request(endpoint, "get", "model", None, params={"a": 1})) == "rasa's"
    assert asyncio.run(request(endpoint, json={"text": "hi"})) == "rasa's"  # an NLG call: no next_action
    assert seen == [("get", "model", None, False, {"params": {"a": 1}}),
                    ("post", None, "application/json", False, {"json": {"text": "hi"}})]


def test_install_replaces_the_functions_once(monkeypatch):
    import rasa.core.run

    stock_close = getattr(rasa.core.run.close_resources, "_bot_original", rasa.core.run.close_resources)
    monkeypatch.setattr(EndpointConfig, "request", STOCK_REQUEST)
    monkeypatch.setattr(rasa.core.run, "close_resources", stock_close)
    action_calls.install()
    installed, close = EndpointConfig.request, rasa.core.run.close_resources
    assert installed._bot_original is STOCK_REQUEST and close._bot_original is stock_close
    action_calls.install()
    assert EndpointConfig.request is installed and rasa.core.run.close_resources is close


def test_closing_rasas_resources_closes_the_kept_sessions():
    calls = []

    async def original(app: Any, loop: Any) -> None:
        calls.append("rasa's")

    async def main() -> tuple[bool, bool]:
        sessions = action_calls.Sessions()
        endpoint = EndpointConfig("http://127.0.0.1:1/webhook")
        session = sessions.get(endpoint)
        assert sessions.get(endpoint) is session  # kept
        await action_calls.make_close_resources(original, sessions)(object(), asyncio.get_running_loop())
        renewed = sessions.get(endpoint)
        await sessions.close()
        return session.closed, renewed is not session

    assert asyncio.run(main()) == (True, True)
    assert calls == ["rasa's"]
