"""Checks on real processes and ports, for the tests of `bot run` and its supervisor."""
from __future__ import annotations

import socket
import time

import psutil

from bot.supervisor import STOP_GRACE_SECONDS


def alive(process: psutil.Process) -> bool:
    """Running, and not a zombie: a dead process nobody reaped yet (orphans stay so where init does not
    reap) holds no port and no memory."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def kill_survivors(tree: list[psutil.Process]) -> None:
    """Whatever a failing test left running."""
    for process in tree:
        if alive(process):
            process.kill()


def port_answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return f"PID {process.pid}"


def assert_all_gone(tree: list[psutil.Process], ports: list[int]) -> None:
    """Every process gone and every port closed within the stop grace period (plus a margin)."""
    deadline = time.monotonic() + STOP_GRACE_SECONDS + 5
    while True:
        survivors = [_command(p) for p in tree if alive(p)]
        bound = [port for port in ports if port_answers(port)]
        if not survivors and not bound:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"left behind: processes {survivors}, ports {bound}")
        time.sleep(0.2)
