"""Start the project's services in the foreground, say when they all answer, stop them all together.

Why our own small supervisor: we need a readiness line ("ready: ...") once every service answers its
health URL, and a clean stop of every child on Ctrl-C or SIGTERM; process managers such as honcho
start and stop processes but cannot tell when a service is ready.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, BinaryIO, Optional

import httpx

READY_TIMEOUT_SECONDS = 180
STOP_GRACE_SECONDS = 10


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None


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


class Supervisor:
    """Runs services as child processes in their own process groups."""

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
        self._stopping = threading.Event()

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def start_service(self, service: Service) -> None:
        service.process = subprocess.Popen(
            service.command,
            cwd=self.cwd,
            env={**os.environ, **self.env, **service.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(
            target=_pump, args=(service.name, service.process.stdout, self._width, self.output), daemon=True
        ).start()

    def start(self) -> None:
        for service in self.services:
            self.start_service(service)

    def wait_until_ready(
        self, timeout: float = READY_TIMEOUT_SECONDS, services: Optional[list[Service]] = None
    ) -> None:
        """Block until every health URL answers; raise if a service exits or the timeout passes."""
        deadline = time.monotonic() + timeout
        pending = list(services or self.services)
        while pending:
            if self._stopping.is_set():
                raise RuntimeError("stopped before every service was ready")
            for service in list(pending):
                code = service.process.poll() if service.process else None
                if code is not None:
                    raise RuntimeError(f"{service.name} exited with code {code} while starting")
                if _answers(service.health_url):
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise RuntimeError(f"not ready after {timeout:.0f} s: {names}")
            if pending:
                time.sleep(0.5)

    def first_exit(self) -> Optional[Service]:
        for service in self.services:
            if service.process and service.process.poll() is not None:
                return service
        return None

    def stop(self, services: Optional[list[Service]] = None) -> None:
        """SIGTERM every process group, then SIGKILL whatever is left after a grace period."""
        services = services or self.services
        for service in services:
            if service.process and service.process.poll() is None:
                try:
                    os.killpg(service.process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for service in services:
            if not service.process:
                continue
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(service.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                service.process.wait()

    def run_forever(self, on_ready: str) -> int:
        """Start, announce readiness, and keep running until a signal or a service exits."""
        def request_stop(signum: int, _frame: object) -> None:
            self._stopping.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        parent = os.getppid()
        self.start()
        try:
            self.wait_until_ready()
            print(on_ready, flush=True)
            while not self._stopping.is_set():
                if os.getppid() != parent:  # e.g. `make run` was killed: do not leave services behind
                    print("parent process gone; stopping everything", flush=True)
                    return 1
                exited = self.first_exit()
                if exited:
                    print(f"{exited.name} stopped (exit code {exited.process.returncode}); "
                          "stopping everything", flush=True)
                    return 1
                self._stopping.wait(1)
            return 0
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr, flush=True)
            return 1
        finally:
            print("stopping all services", flush=True)
            self.stop()
