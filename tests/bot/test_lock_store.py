"""The lock store the replicas share: one turn of a conversation at a time, whichever replica takes it.
Needs Redis on 127.0.0.1:6379 (as on our machines and CI); skipped, saying so, without it."""
from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.build import redis_lock_store
from tests.servers import REDIS_ADDRESS, redis_problem


@pytest.fixture
def lock_store_config():
    problem = redis_problem()
    if problem:
        pytest.skip(f"the lock store test needs Redis: {problem}")
    config = redis_lock_store(f"redis://{REDIS_ADDRESS[0]}:{REDIS_ADDRESS[1]}/0")
    config["key_prefix"] = f"test{uuid.uuid4().hex[:10]}"
    return config


def test_turns_of_one_conversation_on_three_replicas_never_overlap_and_none_fails(lock_store_config):
    """Three replicas (three stores on one Redis) each take 30 turns of one conversation at once. Rasa's
    own RedisLockStore, in this same test, let turns overlap and failed some with "Could not acquire
    lock" (its read-edit-write of the lock interleaves across replicas)."""
    inside, overlaps, failures = [0], [0], []

    def replica() -> None:
        store = LockStore.create(EndpointConfig.from_dict(dict(lock_store_config)))

        async def turns() -> None:
            for _ in range(30):
                try:
                    async with store.lock("one-conversation", lock_lifetime=5, wait_time_in_seconds=0.001):
                        inside[0] += 1
                        overlaps[0] += inside[0] > 1
                        await asyncio.sleep(0.001)
                        inside[0] -= 1
                except LockError as error:
                    failures.append(str(error))

        asyncio.run(turns())

    threads = [threading.Thread(target=replica) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a turn waited for the lock until the test gave up"
    assert failures == [], "a turn could not get the conversation's lock"
    assert overlaps[0] == 0, "two turns of one conversation ran at the same time"


def test_the_lock_is_gone_once_the_last_turn_is_done(lock_store_config):
    store = LockStore.create(EndpointConfig.from_dict(dict(lock_store_config)))

    async def one_turn() -> None:
        async with store.lock("a-conversation"):
            assert store.get_lock("a-conversation") is not None

    asyncio.run(one_turn())
    assert store.get_lock("a-conversation") is None
