"""Fault tests: the real Rasa server, action server and web app on free ports, killed and restarted.

Why real processes: what must hold (a risk message still gets the resources, nothing said is lost,
every case exactly once) depends on timeouts, retries and process boundaries that no in-process
test has. Each module starts its own stack, because each test breaks it on purpose.
"""
from __future__ import annotations

import os
import signal
import time
from typing import Callable

from bot.chat_client import ChatClient
from bot.escalations import list_cases, reconcile
from bot.web.unanswered import UnansweredStore
from safety.resources import load_resources
from tests.servers import Stack


def kill(stack: Stack, name: str) -> None:
    """SIGKILL the service's whole process group: a crash, not a shutdown."""
    service = stack.supervisor.service(name)
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=10)
    stack.supervisor.stop([service])  # forget the (dead) group


def restart(stack: Stack, name: str) -> None:
    stack.start_service(name)


def crisis_phone(stack: Stack) -> str:
    """The configured crisis line's number, whatever clinic this is."""
    payload = load_resources(stack.settings.clinic.locale, stack.settings.extra_resources_path).as_payload("crisis")
    return next(r["phone"] for r in payload["resources"] if r.get("phone"))


def assert_resources(stack: Stack, reply) -> None:  # type: ignore[no-untyped-def]
    assert reply.status == 200 or reply.status in (413, 429), reply.body
    assert reply.has_resources, f"a risk message got no crisis resources: {reply.body}"
    assert any(r.get("phone") == crisis_phone(stack) for card in reply.cards for r in card.get("resources", []))


def cases_of(stack: Stack, sender: str) -> list[dict]:
    return [c for c in list_cases(stack.settings) if c["sender_id"] == sender]


def settled_cases(stack: Stack, sender: str, seconds: float = 5) -> list[dict]:
    """The sender's cases once the reconciler and the unanswered flush have run (as the web app does)."""
    UnansweredStore(stack.settings).flush()
    reconcile(stack.settings)
    deadline = time.monotonic() + seconds
    cases = cases_of(stack, sender)
    while not cases and time.monotonic() < deadline:
        time.sleep(0.5)
        reconcile(stack.settings)
        cases = cases_of(stack, sender)
    return cases


def said_and_kept(stack: Stack, client: ChatClient, sender: str) -> list[str]:
    """Everything the person said that the clinic holds: the transcript, plus unanswered messages."""
    history = [m["text"] for m in client.history_messages(sender) if m["sender"] == "user"]
    kept = [r["text"] for r in UnansweredStore(stack.settings).read(sender)]
    return history + kept


def wait_for(condition: Callable[[], bool], seconds: float, what: str, every: float = 3.0) -> None:
    """Poll `condition`; every 3 s by default, under the web app's read limit (30 a minute per
    conversation for history and status)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"not within {seconds:g} s: {what}")
