"""Who listens on a TCP port.

Why: a server left over on a port answers the health check of the service meant to replace it, so
`bot run` would say `ready:` for the wrong process and its own service would fail to bind much later.
`bot run` therefore refuses to start on a busy port and names the process holding it, and counts a
service as ready only when the listening socket belongs to the process it started (or a descendant).
"""
from __future__ import annotations

import errno
import shlex
import socket
import time
from typing import Optional

import psutil

COMMAND_SHOWN_CHARS = 160


def is_free(host: str, port: int) -> bool:
    """True when a server could bind host:port now, as our servers do (with SO_REUSEADDR).

    Raises OSError for anything other than "address in use" (e.g. a privileged port), so the caller
    can report that instead of guessing.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def _listens_on(connections: list, port: int) -> bool:
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in connections)


def holders(port: int) -> list[psutil.Process]:
    """The processes listening on the port that this user may see (root sees all of them)."""
    try:
        pids = {
            c.pid for c in psutil.net_connections(kind="inet")
            if c.pid and _listens_on([c], port)
        }
    except psutil.AccessDenied:  # e.g. macOS without root: look at the processes we may inspect
        pids = set()
        for process in psutil.process_iter():
            try:
                if _listens_on(process.net_connections(kind="inet"), port):
                    pids.add(process.pid)
            except psutil.Error:
                continue
    found = []
    for pid in sorted(pids):
        try:
            found.append(psutil.Process(pid))
        except psutil.Error:
            continue
    return found


SECRET_FLAGS = ("--auth-token",)


def _redacted(argv: list[str]) -> list[str]:
    """The command line without secrets (Rasa's --auth-token value), as it may be printed."""
    shown = []
    for i, arg in enumerate(argv):
        if i and argv[i - 1] in SECRET_FLAGS:
            arg = "***"
        elif arg.startswith(tuple(f"{flag}=" for flag in SECRET_FLAGS)):
            arg = arg.split("=", 1)[0] + "=***"
        shown.append(arg)
    return shown


def describe(process: psutil.Process) -> str:
    """"PID 123 (python -m rasa run ..., user ana, since 17:02:11)": enough to recognise it and stop it."""
    try:
        with process.oneshot():
            command = shlex.join(_redacted(process.cmdline())) or process.name()
            user = process.username()
            since = time.strftime("%H:%M:%S", time.localtime(process.create_time()))
    except psutil.Error:
        return f"PID {process.pid}"
    if len(command) > COMMAND_SHOWN_CHARS:
        command = command[:COMMAND_SHOWN_CHARS] + "..."
    return f"PID {process.pid} ({command}, user {user}, since {since})"


def held_by_tree(root_pid: int, port: int) -> bool:
    """True when the process root_pid or one of its descendants listens on the port."""
    try:
        root = psutil.Process(root_pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return False
    for process in tree:
        try:
            if _listens_on(process.net_connections(kind="inet"), port):
                return True
        except psutil.Error:
            continue
    return False


def busy_message(port: int, what: str) -> str:
    """Which process holds the port and how to stop it, in words a person can act on."""
    found = holders(port)
    if not found:
        return (f"port {port} ({what}) is in use by a process this user may not inspect; "
                f"`sudo ss -ltnp 'sport = :{port}'` names it.")
    pids = " ".join(str(p.pid) for p in found)
    held = "; ".join(describe(p) for p in found)
    return f"port {port} ({what}) is in use by {held}. Stop it with `kill {pids}`."
