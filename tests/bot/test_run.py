"""`bot run` as a person uses it, in a terminal of its own: however it ends (the terminal closed, Ctrl-C,
`kill`, `kill -9`), no service and no bound port is left behind; a busy port is named, and nothing starts.

The full stack starts once per signal (about 15 s each); the action server runs two Sanic workers so
that processes started by a service itself are covered as well.
"""
from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Iterator

import psutil
import pytest

from bot.settings import load_settings
from bot.supervisor import READY_TIMEOUT_SECONDS, free_port
from tests.processes import alive, assert_all_gone, kill_survivors, port_answers

ROOT = Path(__file__).resolve().parents[2]


def _take_terminal() -> None:
    """In the child: make the pty on stdin its controlling terminal, as a login shell's would be."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class BotRun:
    """`bot run` on a pseudo-terminal, with a private var directory and free ports."""

    def __init__(self, var_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.env = {
            **os.environ,
            "BOT_VAR_DIR": str(var_dir),
            "BOT_RASA_PORT": str(free_port()),
            "BOT_ACTIONS_PORT": str(free_port()),
            "BOT_WEB_PORT": str(free_port()),
            **(extra_env or {}),
        }
        services = load_settings(environ=self.env).services
        self.ports = [services.rasa_port, services.actions_port, services.web_port]
        self.terminal, tty = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=self.env,
            stdin=tty, stdout=tty, stderr=tty, start_new_session=True, preexec_fn=_take_terminal,
        )
        os.close(tty)
        self._output = bytearray()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # select() with a timeout rather than a blocking read: a read in progress would keep the
        # terminal open after close_terminal(), and the kernel would never hang it up.
        while not self._closing.is_set():
            if not select.select([self.terminal], [], [], 0.1)[0]:
                continue
            try:
                chunk = os.read(self.terminal, 4096)
            except OSError:  # the other side is gone
                return
            if not chunk:
                return
            self._output += chunk

    @property
    def output(self) -> str:
        return self._output.decode(errors="replace")

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None:
                self._reader.join(timeout=2)
                if text in self.output:
                    return
                raise AssertionError(f"bot run exited ({self.process.returncode}) before {text!r}:\n{self.output}")
            assert time.monotonic() < deadline, f"no {text!r} after {timeout:.0f} s:\n{self.output}"
            time.sleep(0.2)

    def close_terminal(self) -> None:
        """What closing a terminal window does: the kernel hangs up and sends SIGHUP to `bot run`."""
        self._closing.set()
        self._reader.join()
        os.close(self.terminal)

    def press_ctrl_c(self) -> None:
        os.write(self.terminal, b"\x03")

    def finish(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if not self._closing.is_set():
            self.close_terminal()


@pytest.fixture
def bot_run(tmp_path: Path) -> Iterator[BotRun]:
    running = BotRun(tmp_path / "var", extra_env={"ACTION_SERVER_SANIC_WORKERS": "2"})
    yield running
    running.finish()


HOW_IT_ENDS = {
    "SIGHUP: the terminal is closed": lambda run: run.close_terminal(),
    "SIGINT: Ctrl-C": lambda run: run.press_ctrl_c(),
    "SIGTERM: kill": lambda run: run.process.send_signal(signal.SIGTERM),
    "SIGKILL: kill -9": lambda run: run.process.kill(),
}


@pytest.mark.servers
@pytest.mark.parametrize("end", HOW_IT_ENDS.values(), ids=HOW_IT_ENDS.keys())
def test_bot_run_leaves_no_service_and_no_port_behind(bot_run: BotRun, end):
    bot_run.wait_for("ready:", timeout=READY_TIMEOUT_SECONDS)
    # What the person who typed `make run` reads: the services' own lines, not their libraries' noise.
    assert "DeprecationWarning" not in bot_run.output and "MovedIn20Warning" not in bot_run.output
    tree = psutil.Process(bot_run.process.pid).children(recursive=True)
    try:
        assert all(port_answers(port) for port in bot_run.ports)
        assert any(p.ppid() != bot_run.process.pid for p in tree), "no Sanic worker: workers go untested"
        end(bot_run)
        assert_all_gone(tree, bot_run.ports)
        bot_run.process.wait(timeout=5)
    finally:
        kill_survivors(tree)


@pytest.fixture
def busy_port() -> Iterator[tuple[int, int]]:
    """(port, pid): a server already listening, as one left over from an earlier run would be."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not port_answers(port):
            assert time.monotonic() < deadline, "the stale server did not start"
            time.sleep(0.1)
        yield port, server.pid
    finally:
        server.kill()
        server.wait()


def test_a_busy_port_is_named_with_its_process_and_nothing_starts(tmp_path: Path, busy_port):
    port, pid = busy_port
    run = BotRun(tmp_path / "var", extra_env={"BOT_RASA_PORT": str(port)})
    try:
        run.wait_for("Nothing was started", timeout=60)
        assert run.process.wait(timeout=10) == 2
    finally:
        run.finish()
    assert f"port {port} (rasa) is in use by PID {pid}" in run.output
    assert f"kill {pid}" in run.output
    assert "ready:" not in run.output  # although the stale server answers on the Rasa port
    assert not any(port_answers(other) for other in run.ports if other != port)  # nothing else started
    assert alive(psutil.Process(pid)) and port_answers(port)  # and someone else's server is left alone
