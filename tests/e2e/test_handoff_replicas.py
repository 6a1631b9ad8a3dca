"""Live handoff with two Rasa processes on PostgreSQL + Redis: the pause is in the shared tracker store,
so whichever process takes a message, a paused conversation gets no reply, and after the hand-back
every process answers again. Needs PostgreSQL and Redis on 127.0.0.1 (as on our machines)."""
from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from bot.web import create_app
from tests.e2e.handoff_steps import QUIET, bot_texts, hand_back, join_from_list, new_person, say, staff_client
from tests.postgres import temporary_database
from tests.servers import Stack

pytestmark = [pytest.mark.servers, pytest.mark.postgres]
REDIS = ("127.0.0.1", 6379)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError as error:
        pytest.skip(f"needs Redis on {REDIS[0]}:{REDIS[1]}: {error}")
    with temporary_database() as database_url:
        running = Stack(tmp_path_factory.mktemp("handoff-replicas"), extra_env={
            "BOT_RASA_WORKERS": "2", "DATABASE_URL": database_url, "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        })
        try:
            yield running.start()
        finally:
            running.stop()


def test_the_pause_holds_on_every_replica_and_the_resume_too(replicas):
    with TestClient(create_app(replicas.settings, options=QUIET)) as person, \
            TestClient(create_app(replicas.settings, options=QUIET)) as staff:
        sender = new_person(person)
        assert bot_texts(say(person, sender, "hi"))
        staff_client(staff, replicas.settings, "replicas-sam@clinic.example")
        public_id = join_from_list(staff, sender)
        # Several messages: Rasa's workers share the port, so they land on both processes.
        for n in range(6):
            assert bot_texts(say(person, sender, f"message {n} while someone from the clinic is here")) == []
        hand_back(staff, public_id)
        for _ in range(4):
            assert bot_texts(say(person, sender, "how are you"))
