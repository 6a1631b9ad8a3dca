"""Several Rasa processes (services.rasa_workers) on PostgreSQL + Redis: one person's conversation
carries on whichever process answers. Needs PostgreSQL and Redis on 127.0.0.1 (as on our machines)."""
from __future__ import annotations

import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from tests.postgres import temporary_database
from tests.servers import Stack

pytestmark = [pytest.mark.servers, pytest.mark.postgres]

REDIS = ("127.0.0.1", 6379)
WORKERS = 2


def texts(messages):
    return " ".join(m.get("text", "") for m in messages)


@pytest.fixture(scope="module")
def redis_url() -> str:
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError as error:
        pytest.skip(f"needs Redis on {REDIS[0]}:{REDIS[1]} (the lock store of several Rasa processes): {error}")
    return f"redis://{REDIS[0]}:{REDIS[1]}/0"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    with temporary_database() as database_url:
        running = Stack(tmp_path_factory.mktemp("workers-var"), extra_env={
            "BOT_RASA_WORKERS": str(WORKERS), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        })
        try:  # stops whatever started, also when a server fails while starting
            yield running.start()
        finally:
            running.stop()


def test_rasa_serves_with_the_configured_number_of_processes(stack):
    rasa = psutil.Process(stack.supervisor.service("rasa").process.pid)
    assert len(rasa.children()) == WORKERS


def test_conversations_carry_on_across_processes(stack):
    """Exercise state lives in PostgreSQL and each turn is locked in Redis, so whichever process takes
    a message continues the same conversation; several people at once each get their own flow."""
    def person(_index: int) -> tuple[str, str, str]:
        sender = f"workers-{uuid.uuid4().hex[:10]}"
        stack.say(sender, "hi")
        ask = texts(stack.say(sender, "can we do a grounding exercise"))
        step_1 = texts(stack.say(sender, "about 8/10"))
        step_2 = texts(stack.say(sender, "next"))
        return ask, step_1, step_2

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(person, range(4)))
    for ask, step_1, step_2 in results:
        assert "0 to 10" in ask
        assert "5 things you can see" in step_1
        assert "4" in step_2 and step_2 != step_1
