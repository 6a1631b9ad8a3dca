"""`var/` full (a small tmpfs filled to the last byte): SQLite (Rasa's tracker store and our tables),
the unanswered spool and everything else there fail with ENOSPC. Needs root (mount); skipped, saying
so, where the test cannot mount.
"""
from __future__ import annotations

import os
import subprocess
import time

import pytest

from bot.chat_client import ChatClient
from bot.web.unanswered import UnansweredStore
from tests.faults.conftest import assert_resources, cases_of, said_and_kept, wait_for
from tests.servers import Stack

pytestmark = pytest.mark.servers

EXERCISE = ["hi", "can we do a grounding exercise", "7"]


def _mount_tmpfs(path, size: str = "64m") -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def _fill(folder) -> "os.PathLike[str]":
    """Write zeros until the file system is full (1 MB pieces, then 4 kB, then bytes); returns the filler."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(descriptor, block)
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


@pytest.fixture(scope="module")
def full_var(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults-disk")
    var = base / "var"
    if not _mount_tmpfs(var):
        pytest.skip("cannot mount a tmpfs here (needs root): the ENOSPC paths are covered by "
                    "tests/web/test_unanswered.py, which simulates it at the write call")
    stack = Stack(var, web=True, log_path=base / "servers.log").start()
    try:
        yield stack, var
    finally:
        stack.stop()
        subprocess.run(["umount", "-l", str(var)], check=False)


def test_disk_full_for_var(full_var):
    stack, var = full_var
    with ChatClient(stack.web_url) as client:
        sender = client.new_conversation()
        for line in EXERCISE:
            assert client.say(sender, line).status == 200
        filler = _fill(var)
        try:
            risk = client.say(sender, "i want to kill myself")
            assert_resources(stack, risk)
            plain = client.say(sender, "is anyone reading this")
            assert plain.status == 200
        finally:
            os.unlink(filler)
        freed_at = time.monotonic()
        store = UnansweredStore(stack.settings)

        def kept() -> set[str]:
            try:
                return set(said_and_kept(stack, client, sender))
            except Exception:  # noqa: BLE001 - the history may briefly fail while SQLite recovers
                return set()

        # The web app stores what it held in memory at its next scheduled run (every 30 s).
        wait_for(lambda: {"i want to kill myself", "is anyone reading this"} <= kept(), 60,
                 "messages held while the disk was full reach the database")
        wait_for(lambda: not client.say(sender, "thanks").unavailable, 60, "Rasa writes again")
        said = kept()
        for line in [*EXERCISE, "i want to kill myself", "is anyone reading this", "thanks"]:
            assert line in said, f"lost: {line!r}"
        wait_for(lambda: len(cases_of(stack, sender)) >= 1, 60, "the case exists")
        time.sleep(max(0.0, 35 - (time.monotonic() - freed_at)))  # one more reconcile run
        assert len(cases_of(stack, sender)) == 1, cases_of(stack, sender)
        assert store.pending() == 0
