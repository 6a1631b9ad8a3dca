"""Start the project's services in the foreground, say when they all answer, stop them all together.

Why our own small supervisor: we need a readiness line ("ready: ...") once every service *we started*
answers its health URL, and a stop of every child however `bot run` ends; process managers such as
honcho start and stop processes but cannot tell when a service is ready.

How nothing is left behind:
- Ctrl-C, SIGTERM and SIGHUP (a closed terminal) stop every service's process group, then exit.
- On Linux each service's main process gets PR_SET_PDEATHSIG: the kernel sends it SIGTERM when the
  supervisor dies, even by SIGKILL. The signal is tied to the *thread* that started the child, so it
  is only set when starting from the main thread (which lives as long as the process).
- A watchdog process (bot/watchdog.py) stops the process groups, including the processes a service
  started itself (Sanic workers), once the supervisor is gone without having stopped them.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, BinaryIO, Callable, Optional
from urllib.parse import urlsplit

import httpx

from bot import ports, process_groups
from bot.stop_request import StopRequest

READY_TIMEOUT_SECONDS = 180
# How often a starting service's health URL is tried: `ready:` (and the bench's cold start) waits at most
# this long after a service answers (0.5 s added 0.25 s on average to every measured cold start).
READY_POLL_SECONDS = 0.1
STOP_GRACE_SECONDS = 10
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class PortsBusy(RuntimeError):
    """A port a service needs is taken: nothing was started."""


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the service listens on: those of its health URL."""
        url = urlsplit(self.health_url)
        return url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)


def free_port() -> int:
    """A TCP port on localhost that is free right now (for tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pump(name: str, stream: IO[bytes], width: int, output: BinaryIO) -> None:
    """Copy a child's output line by line, prefixed with its name, so interleaved logs stay readable."""
    prefix = f"{name:<{width}} | ".encode()
    for line in iter(stream.readline, b""):
        try:
            output.write(prefix + line)
            output.flush()
        except (OSError, ValueError):  # output closed (e.g. a test finished): keep draining the pipe
            pass


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


def _say(text: str, stream: Optional[IO[str]] = None) -> None:
    """Print, unless the terminal is gone (SIGHUP): stopping the services matters more than the words."""
    try:
        print(text, file=stream or sys.stdout, flush=True)
    except (OSError, ValueError):
        pass


def _pdeathsig_setter() -> Optional[Callable[[], None]]:
    """A preexec_fn making the child receive SIGTERM when this process dies (Linux); None elsewhere,
    or when not called from the main thread (the signal fires when the *forking thread* ends)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect: nobody will signal us
            os.kill(os.getpid(), signal.SIGTERM)

    return die_with_parent


class _Watchdog:
    """The supervisor's end of the pipe to bot/watchdog.py, started with the first service."""

    def __init__(self) -> None:
        self.process: Optional[subprocess.Popen] = None
        self.groups: set[int] = set()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.watchdog", "--grace", str(STOP_GRACE_SECONDS)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._write("".join(f"+{pgid}\n" for pgid in self.groups))

    def _write(self, lines: str) -> bool:
        try:
            self.process.stdin.write(lines.encode())
            self.process.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def _send(self, lines: str) -> None:
        if lines and not self._write(lines):  # it was killed: a new one, told about every group
            self.process.poll()  # reap the old one
            self._spawn()

    def watch(self, pgid: int) -> None:
        self.groups.add(pgid)
        if self.process is None:
            self._spawn()
        else:
            self._send(f"+{pgid}\n")

    def forget(self, pgids: set[int]) -> None:
        self.groups -= pgids
        if self.process is not None:
            self._send("".join(f"-{pgid}\n" for pgid in pgids))

    def close(self) -> None:
        """End-of-file for the watchdog: it stops what is still registered (nothing, normally), exits."""
        if self.process is None:
            return
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS + 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


class Supervisor:
    """Runs services as child processes in their own process groups, which die with the supervisor."""

    def __init__(
        self,
        services: list[Service],
        cwd: str,
        env: Optional[dict[str, str]] = None,
        output: Optional[BinaryIO] = None,
    ) -> None:
        self.services = services
        self.cwd = cwd
        self.env = env or {}
        self.output = output or sys.stdout.buffer
        self._width = max(len(s.name) for s in services)
        self._stopping = StopRequest()
        self._watchdog = _Watchdog()
        self._groups: dict[str, int] = {}  # service name -> process group id, while it may be running

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def check_ports(self, services: Optional[list[Service]] = None) -> None:
        """Raise PortsBusy, naming the holder and how to stop it, if a service's port is taken."""
        problems = []
        for service in services or self.services:
            host, port = service.address
            try:
                if not ports.is_free(host, port):
                    problems.append(ports.busy_message(port, service.name))
            except OSError as error:
                problems.append(f"cannot listen on {host}:{port} ({service.name}): {error.strerror}")
        if problems:
            raise PortsBusy("\n".join(problems))

    def start_service(self, service: Service) -> None:
        service.process = subprocess.Popen(
            service.command,
            cwd=self.cwd,
            env={**os.environ, **self.env, **service.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, apart from our terminal
            preexec_fn=_pdeathsig_setter(),
        )
        self._groups[service.name] = service.process.pid
        self._watchdog.watch(service.process.pid)
        threading.Thread(
            target=_pump, args=(service.name, service.process.stdout, self._width, self.output), daemon=True
        ).start()

    def start(self) -> None:
        for service in self.services:
            self.start_service(service)

    def is_ours(self, service: Service) -> bool:
        """True when the process listening on the service's port is the one we started (or its child)."""
        return service.process is not None and ports.held_by_tree(service.process.pid, service.address[1])

    def _exited_while_starting(self, service: Service, code: int) -> str:
        host, port = service.address
        message = f"{service.name} exited with code {code} while starting"
        try:
            if not ports.is_free(host, port):
                message += f": {ports.busy_message(port, 'needed by ' + service.name)}"
        except OSError:
            pass
        return message

    def wait_until_ready(
        self, timeout: float = READY_TIMEOUT_SECONDS, services: Optional[list[Service]] = None
    ) -> None:
        """Block until every service answers its health URL *from the process we started*; raise if a
        service exits or the timeout passes. Another server answering on the port does not count."""
        deadline = time.monotonic() + timeout
        pending = list(services or self.services)
        impostors: set[str] = set()
        while pending:
            if self._stopping.is_requested():
                raise RuntimeError("stopped before every service was ready")
            for service in list(pending):
                code = service.process.poll() if service.process else None
                if code is not None:
                    raise RuntimeError(self._exited_while_starting(service, code))
                if _answers(service.health_url):
                    if self.is_ours(service):
                        pending.remove(service)
                    else:
                        impostors.add(service.name)
            if pending and time.monotonic() > deadline:
                names = ", ".join(
                    s.name + (" (its port answers, but not from the process started here)"
                              if s.name in impostors else "")
                    for s in pending
                )
                raise RuntimeError(f"not ready after {timeout:.0f} s: {names}")
            if pending:
                time.sleep(READY_POLL_SECONDS)

    def first_exit(self) -> Optional[Service]:
        for service in self.services:
            if service.process and service.process.poll() is not None:
                return service
        return None

    def stop(self, services: Optional[list[Service]] = None) -> None:
        """SIGTERM every process group, SIGKILL whatever is left after a grace period, reap the children.

        Whole groups, because a service's own workers may outlive its main process."""
        services = services or self.services
        groups = {self._groups.pop(s.name) for s in services if s.name in self._groups}
        started = [s for s in services if s.process]

        def reap() -> None:
            for service in started:
                service.process.poll()

        process_groups.stop(groups, STOP_GRACE_SECONDS, reap=reap)
        for service in started:
            service.process.wait()
        self._watchdog.forget(groups)
        if not self._groups:  # nothing of ours runs any more
            self._watchdog.close()

    def run_forever(self, on_ready: str) -> int:
        """Check the ports, start, announce readiness, and keep running until a signal (SIGINT, SIGTERM,
        SIGHUP), the parent's exit or a service's exit; then stop everything. Raises PortsBusy, having
        started nothing, when a port is taken."""
        self.check_ports()
        previous = {signum: signal.signal(signum, self._stopping.request) for signum in STOP_SIGNALS}
        parent = os.getppid()
        try:
            self.start()
            self.wait_until_ready()
            _say(on_ready)
            while not self._stopping.is_requested():
                if os.getppid() != parent:  # e.g. `make run` was killed: do not leave services behind
                    _say("parent process gone; stopping everything")
                    return 1
                exited = self.first_exit()
                if exited:
                    _say(f"{exited.name} stopped (exit code {exited.process.returncode}); stopping everything")
                    return 1
                self._stopping.wait(1)
            return 0
        except RuntimeError as error:
            _say(f"error: {error}", sys.stderr)
            return 1
        finally:
            _say("stopping all services")
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
