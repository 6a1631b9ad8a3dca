"""The action server, Rasa and the web app each killed (SIGKILL) mid-conversation, then started again.

In each: the risk message still gets the crisis resources, nothing the person said is lost (it is in
the transcript or among the unanswered messages), and once everything is back each case exists once.
"""
from __future__ import annotations

import httpx
import pytest

from bot.chat_client import ChatClient
from tests.faults.conftest import (
    assert_resources, kill, restart, said_and_kept, settled_cases, wait_for,
)
from tests.servers import Stack

pytestmark = pytest.mark.servers

EXERCISE = ["hi", "can we do a grounding exercise", "7"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("faults-var"), web=True).start()
    yield running
    running.stop()


@pytest.fixture
def client(stack):
    with ChatClient(stack.web_url) as chat:
        yield chat


def talk(client: ChatClient, sender: str, lines: list[str]) -> None:
    for line in lines:
        reply = client.say(sender, line)
        assert reply.status == 200, reply.body


def test_action_server_killed_mid_exercise(stack, client):
    sender = client.new_conversation()
    talk(client, sender, EXERCISE)
    kill(stack, "actions")
    try:
        risk = client.say(sender, "i can't do this anymore, i want to kill myself")
        assert_resources(stack, risk)
        after = client.say(sender, "are you still there")
        assert after.status == 200
    finally:
        restart(stack, "actions")
    talk(client, sender, ["ok"])
    [case] = settled_cases(stack, sender)
    assert case["kind"] in ("crisis", "emergency")
    assert settled_cases(stack, sender) == [case]  # a second reconcile adds nothing
    said = said_and_kept(stack, client, sender)
    for line in [*EXERCISE, "i can't do this anymore, i want to kill myself", "are you still there", "ok"]:
        assert line in said, f"lost: {line!r}"


def test_rasa_killed_the_gateway_answers_and_keeps_the_message(stack, client):
    sender = client.new_conversation()
    talk(client, sender, EXERCISE)
    kill(stack, "rasa")
    try:
        risk = client.say(sender, "honestly i just want to die")
        assert_resources(stack, risk)
        assert risk.unavailable
        plain = client.say(sender, "hello? is anyone there")
        assert plain.status == 200 and plain.unavailable
        assert not client.assistant_available(sender)
    finally:
        restart(stack, "rasa")
    wait_for(lambda: client.assistant_available(sender), 30, "Rasa answers again")
    talk(client, sender, ["thanks"])
    [case] = settled_cases(stack, sender)
    assert case["source"] == "gateway"
    assert settled_cases(stack, sender) == [case]
    said = said_and_kept(stack, client, sender)
    for line in [*EXERCISE, "honestly i just want to die", "hello? is anyone there", "thanks"]:
        assert line in said, f"lost: {line!r}"


def test_web_app_restarted_mid_conversation(stack, client):
    sender = client.new_conversation()
    talk(client, sender, EXERCISE)
    # What the widget shows when the web app itself cannot be reached: the resources it loaded with the page.
    config = client.get("/api/widget-config").json()
    assert config["resources"]["resources"]
    kill(stack, "web")
    try:
        with pytest.raises(httpx.TransportError):
            client.say(sender, "i want to kill myself")  # the widget keeps this text in the box
    finally:
        restart(stack, "web")
    # The person presses Send again (the widget kept the text); history from before the crash is there.
    assert [m["text"] for m in client.history_messages(sender) if m["sender"] == "user"] == EXERCISE
    risk = client.say(sender, "i want to kill myself")
    assert_resources(stack, risk)
    [case] = settled_cases(stack, sender)
    assert settled_cases(stack, sender) == [case]
    assert "i want to kill myself" in said_and_kept(stack, client, sender)
