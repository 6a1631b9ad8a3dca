"""The database unreachable for 30 s, on PostgreSQL (tracker store and our tables), then back.

The test's own throw-away database sits behind a TCP proxy the test controls; blocking the proxy cuts
every open connection and refuses new ones, as a stopped server does. The machine's PostgreSQL is
never touched (others use it).
"""
from __future__ import annotations

import time

import pytest

from bot.chat_client import ChatClient
from bot.web.unanswered import UnansweredStore
from tests.faults.conftest import assert_resources, cases_of, said_and_kept, wait_for
from tests.faults.proxy import TcpProxy
from tests.postgres import temporary_database
from tests.servers import Stack

pytestmark = [pytest.mark.servers, pytest.mark.postgres]

OUTAGE_SECONDS = 30
EXERCISE = ["hi", "can we do a grounding exercise", "7"]


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    with temporary_database() as url:
        proxy = TcpProxy(("127.0.0.1", 5432)).start()
        through_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        stack = Stack(tmp_path_factory.mktemp("faults-pg"), web=True,
                      extra_env={"DATABASE_URL": through_proxy}).start()
        try:
            yield stack, proxy
        finally:
            stack.stop()
            proxy.stop()
            from bot.db import _engines  # the test process's own pool to this database

            engine = _engines.pop(through_proxy, None)
            if engine is not None:
                engine.dispose()


def test_database_unreachable_for_30_seconds(proxied):
    stack, proxy = proxied
    with ChatClient(stack.web_url) as client:
        sender = client.new_conversation()
        for line in EXERCISE:
            assert client.say(sender, line).status == 200
        proxy.block()
        blocked_at = time.monotonic()
        try:
            risk = client.say(sender, "i want to kill myself")
            assert_resources(stack, risk)
            plain = client.say(sender, "please answer me")
            assert plain.status == 200  # the gateway answers, and keeps the message
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - blocked_at)))
        finally:
            proxy.unblock()
        # The web app moves what it spooled into the database at its next scheduled run (every 30 s).
        store = UnansweredStore(stack.settings)
        wait_for(lambda: len(store.read(sender)) == 2, 60, "the spooled messages reach the database")
        wait_for(lambda: client.assistant_available(sender), 30, "Rasa answers")
        wait_for(lambda: not client.say(sender, "thanks").unavailable, 60, "Rasa reads its tracker store again")
        cases = cases_of(stack, sender)
        assert len(cases) == 1, cases
        assert cases[0]["source"] == "gateway"
        said = said_and_kept(stack, client, sender)
        for line in [*EXERCISE, "i want to kill myself", "please answer me", "thanks"]:
            assert line in said, f"lost: {line!r}"
        assert not store.spool.exists()
