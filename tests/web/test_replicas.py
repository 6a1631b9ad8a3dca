"""The web app spreads conversations across Rasa replicas, and moves on when one cannot be reached."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.web.rasa_client import RasaUnavailable
from bot.web.replicas import Replicas


def test_each_conversation_sticks_to_one_replica_and_both_are_used():
    replicas = Replicas(["http://10.0.0.1:5005", "http://10.0.0.2:5005/"])
    senders = [str(uuid.uuid4()) for _ in range(200)]
    firsts = [replicas.for_sender(s)[0] for s in senders]
    assert set(firsts) == {"http://10.0.0.1:5005", "http://10.0.0.2:5005"}
    assert 60 <= firsts.count("http://10.0.0.1:5005") <= 140  # roughly even
    # The same choice every time and in every process (no per-process hash seed): a fixed example.
    assert all(replicas.for_sender(s)[0] == first for s, first in zip(senders, firsts))
    assert Replicas(["a", "b"]).for_sender("fixed-conversation") == Replicas(["a", "b"]).for_sender("fixed-conversation")
    assert sorted(replicas.for_sender(senders[0])) == sorted(replicas.urls)


def test_an_unreachable_replica_hands_the_message_to_the_next(rasa_down, rasa_without_crisis_card):
    replicas = Replicas([rasa_down, rasa_without_crisis_card])
    sender = next(s for s in (str(uuid.uuid4()) for _ in range(100)) if replicas.for_sender(s)[0] == rasa_down)
    messages = asyncio.run(replicas.send(sender, "hello", timeout=5))
    assert messages == [{"text": "I'm not sure I follow."}]


def test_a_replica_that_times_out_is_not_asked_again(rasa_hangs, rasa_without_crisis_card):
    """It may still answer; asking another would answer the person twice."""
    replicas = Replicas([rasa_hangs, rasa_without_crisis_card])
    sender = next(s for s in (str(uuid.uuid4()) for _ in range(100)) if replicas.for_sender(s)[0] == rasa_hangs)
    with pytest.raises(RasaUnavailable) as raised:
        asyncio.run(replicas.send(sender, "hello", timeout=0.5))
    assert raised.value.reason == "timeout"


def test_all_replicas_unreachable_is_unreachable(rasa_down):
    with pytest.raises(RasaUnavailable) as raised:
        asyncio.run(Replicas([rasa_down, rasa_down]).send(str(uuid.uuid4()), "hello", timeout=2))
    assert raised.value.reason == "unreachable"
