"""Signal and wait for whole process groups, the unit in which `bot run` starts and stops a service.

Why groups: a service may start processes of its own (Sanic workers with ACTION_SERVER_SANIC_WORKERS or
SANIC_WORKERS > 1); they stay in the service's group, so signalling the group reaches them too, even
after the service's main process has gone. A dead process that nobody has reaped yet (a zombie, common
when orphans are re-parented to an init that never reaps) holds no port and no memory: it counts as gone.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable

import psutil

POLL_SECONDS = 0.1


def live_groups() -> set[int]:
    """The process group ids that have at least one live (non-zombie) process."""
    found = set()
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                found.add(os.getpgid(process.pid))
        except (OSError, psutil.Error):  # gone meanwhile
            continue
    return found


def send(pgid: int, signum: int) -> None:
    """Signal every process of the group; a group that no longer exists is fine."""
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def stop(pgids: Iterable[int], grace: float, reap: Callable[[], None] = lambda: None) -> None:
    """SIGTERM each group, wait up to `grace` seconds for all of them, then SIGKILL what is left.

    `reap` is called while waiting so a parent can collect its own exited children.
    """
    groups = set(pgids)
    for pgid in groups:
        send(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while True:
        reap()
        groups &= live_groups()
        if not groups or time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    for pgid in groups:
        send(pgid, signal.SIGKILL)
