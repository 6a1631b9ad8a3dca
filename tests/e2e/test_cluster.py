"""`bot run-cluster`: two Rasa server replicas on one PostgreSQL tracker store and one Redis lock store,
an action server, and the web app spreading conversations across the replicas. Needs PostgreSQL and
Redis on 127.0.0.1 (as on our machines and CI); skipped, saying which is missing, without them."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot.web.replicas import Replicas
from tests.chat_client import conversation_headers, send
from tests.servers import Stack, store_env

pytestmark = [pytest.mark.servers, pytest.mark.postgres]

REPLICAS = ("rasa-1", "rasa-2")


def texts(messages):
    return " ".join(m.get("text", "") for m in messages)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with store_env("postgres+redis") as env:
        running = Stack(tmp_path_factory.mktemp("cluster-var"), extra_env=env, replicas=len(REPLICAS))
        try:
            yield running.start()
        finally:
            running.stop()


def event_types(cluster: Stack, sender: str) -> list[tuple[str, str]]:
    engine = create_engine(cluster.settings.database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, action_name FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1] or "") for row in rows]


def crisis_line(cluster: Stack) -> str:
    from safety.resources import load_resources

    settings = cluster.settings
    return load_resources(settings.clinic.locale, settings.extra_resources_path).primary_line


def test_one_conversation_alternating_between_replicas_keeps_its_exercise_and_safety_mode(cluster):
    """Each message goes to the other replica: the exercise carries on step by step, and after a risk
    message every reply, from either replica, keeps the crisis line."""
    sender = f"cluster-{uuid.uuid4().hex[:10]}"
    replica = iter(REPLICAS * 10)
    cluster.say(sender, "hi", next(replica))
    ask = texts(cluster.say(sender, "can we do a grounding exercise", next(replica)))
    assert "0 to 10" in ask
    step_1 = texts(cluster.say(sender, "about 8/10", next(replica)))
    assert "5 things you can see" in step_1
    step_2 = texts(cluster.say(sender, "next", next(replica)))
    assert "4" in step_2 and step_2 != step_1

    line = crisis_line(cluster)
    crisis = cluster.say(sender, "i can't do this anymore, i want to kill myself", next(replica))
    assert line in texts(crisis)
    assert any(isinstance(m.get("custom"), dict) and m["custom"].get("type") == "crisis_resources" for m in crisis)
    for message in ("ok", "what is cbt", "thanks"):
        reply = texts(cluster.say(sender, message, next(replica)))
        assert line in reply, f"after the escalation, the other replica's reply to {message!r} lost the crisis line"


def test_concurrent_messages_of_one_conversation_are_taken_one_at_a_time(cluster):
    """Messages sent at once to both replicas: Rasa's Redis lock store lets one turn run at a time, so
    the stored conversation is whole turns in sequence, every message answered and none lost."""
    sender = f"cluster-{uuid.uuid4().hex[:10]}"
    cluster.say(sender, "hi", "rasa-1")
    messages = ["what is cbt", "what is dbt", "thanks", "are you a bot", "i cant sleep", "what is act"]

    def send(index: int) -> list:
        return cluster.say(sender, messages[index], REPLICAS[index % 2])

    with ThreadPoolExecutor(len(messages)) as pool:
        replies = list(pool.map(send, range(len(messages))))
    assert all(texts(reply) for reply in replies), "a message got no reply"

    events = event_types(cluster, sender)
    users = [i for i, (kind, _) in enumerate(events) if kind == "user"]
    assert len(users) == 1 + len(messages), "a message is missing from the stored conversation"
    # The first turn is "hi": the session's opening greets before the user event, and the "hi" itself
    # gets no second greeting (data/rules/greeting.yml); the concurrent messages' turns follow it.
    for start, end in list(zip(users, users[1:] + [len(events)]))[1:]:
        turn = events[start + 1:end]
        assert ("action", "action_listen") == turn[-1], f"a turn was cut short by another: {turn}"
        assert any(kind == "bot" for kind, _ in turn), f"a turn has no reply: {turn}"


def test_the_web_app_spreads_conversations_and_another_replica_takes_over(cluster):
    """Through the web app: conversations stick to one replica each (both replicas in use); with one
    replica stopped, its conversations carry on, mid-exercise, on the other."""
    urls = [cluster.supervisor.service(name).health_url.rstrip("/") for name in REPLICAS]
    replicas = Replicas(urls)
    senders = [str(uuid.uuid4()) for _ in range(20)]
    by_first = {url: [s for s in senders if replicas.for_sender(s)[0] == url] for url in urls}
    assert all(by_first.values()), "the web app would send every conversation to one replica"
    on_2 = by_first[urls[1]][0]

    def chat(sender: str, message: str) -> str:
        response = send(httpx, conversation_headers(cluster.settings, sender), message, cluster.web_url, timeout=30)
        response.raise_for_status()
        body = response.json()
        assert not body.get("assistant_unavailable"), "the web app could not reach a replica"
        return texts(body["messages"])

    chat(on_2, "hi")
    chat(on_2, "can we do a grounding exercise")
    assert "5 things you can see" in chat(on_2, "7")
    cluster.stop_service("rasa-2")
    try:
        step_2 = chat(on_2, "next")
        assert "4" in step_2 and "5 things" not in step_2
    finally:
        cluster.start_service("rasa-2")
