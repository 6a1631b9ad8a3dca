"""No message text in any log, at any level: a sentinel word sent through the whole stack (Rasa, the action
server, the web app; debug logging requested everywhere) appears in no log line.

Paths covered: an ordinary message, a message inside an exercise, a risk message (case, alert
worker), a message while Rasa is down (gateway fallback, unanswered store), a refused message (too
long) and one with odd characters.
"""
from __future__ import annotations

import re

import pytest

from bot.chat_client import ChatClient
from bot.escalations import reconcile
from bot.web.unanswered import UnansweredStore
from tests.servers import Stack

pytestmark = pytest.mark.servers

SENTINEL = "xylophonequokka"
DEBUG_EVERYWHERE = {"LOG_LEVEL": "DEBUG", "LOG_LEVEL_LIBRARIES": "DEBUG", "BOT_LOG_LEVEL": "DEBUG"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("sentinel-var"), web=True, extra_env=DEBUG_EVERYWHERE).start()
    yield running
    running.stop()


def logs(stack: Stack) -> dict[str, str]:
    """Every log the stack wrote: the services' output and any *.log file under var/."""
    found = {str(stack.log_path): stack.log_path.read_text(encoding="utf-8", errors="replace")}
    for path in stack.settings.var_dir.rglob("*.log"):
        found[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return found


def test_the_sentinel_phrase_is_in_no_log(stack, caplog):
    with ChatClient(stack.web_url) as client:
        sender = client.new_conversation()
        for text in (f"hello, my cat is called {SENTINEL}", "can we do a grounding exercise", "7",
                     f"{SENTINEL} is all i can see", f"i want to kill myself because of {SENTINEL}",
                     f"{SENTINEL.upper()} \x00 <b>{SENTINEL}</b>", f"{SENTINEL} " * 400):
            assert client.say(sender, text).status in (200, 413)
        stack.stop_service("rasa")
        try:
            reply = client.say(sender, f"are you there {SENTINEL}")
            assert reply.unavailable
        finally:
            stack.start_service("rasa")
        assert any(SENTINEL in r["text"] for r in UnansweredStore(stack.settings).read(sender))
        history = client.history_messages(sender)
    assert any(SENTINEL in m.get("text", "") for m in history), "the sentinel never reached the transcript"
    reconcile(stack.settings)

    written = logs(stack)
    assert sum(len(text) for text in written.values()) > 1000, "nothing was logged: the test cannot see a leak"
    assert re.search(r"DEBUG", written[str(stack.log_path)]), "debug logging did not come on"
    leaks = [f"{path}: {line.strip()[:200]}" for path, text in written.items()
             for line in text.splitlines() if SENTINEL in line.lower()]
    assert leaks == [], "message text in the logs:\n" + "\n".join(leaks[:20])
    assert not [r for r in caplog.records if SENTINEL in r.getMessage().lower()]


def test_rasa_debug_logging_stays_at_info_unless_asked_for_on_purpose():
    from bot.rasa_main import UNSAFE_DEBUG_VARIABLE, clamp_log_level

    environ = {"LOG_LEVEL": "DEBUG"}
    assert clamp_log_level(["run", "--debug", "--port", "1"], environ) == ["run", "--port", "1"]
    assert environ["LOG_LEVEL"] == "INFO"
    on_purpose = {"LOG_LEVEL": "DEBUG", UNSAFE_DEBUG_VARIABLE: "1"}
    assert clamp_log_level(["run", "--debug"], on_purpose) == ["run", "--debug"]
    assert on_purpose["LOG_LEVEL"] == "DEBUG"
