"""Fixtures for the web app tests: the app in-process (TestClient) against a private database, and,
for the tests that need the assistant itself, the real Rasa and action servers on free ports."""
from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.db import migrate
from bot.settings import Settings, load_settings
from bot.supervisor import free_port
from bot.web import create_app
from bot.web.options import WebOptions
from tests.bot.conftest import TrackerWriter
from tests.servers import Stack

SENDER = "3f2b8c1e-5a7d-4e9f-8b2c-1d0e6a4f9b21"
# Scheduled reconciling is off in most tests, so that it cannot race with their own assertions.
QUIET = WebOptions(reconcile_every_seconds=None, alerts=False, handoff_watch_every_seconds=None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    loaded = load_settings(environ={"BOT_VAR_DIR": str(tmp_path / "var")})
    migrate(loaded)  # as `bot run` does before starting the web app
    return loaded


@pytest.fixture
def tracker_writer(settings: Settings) -> TrackerWriter:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return TrackerWriter(settings.database_url)


@pytest.fixture
def rasa_down() -> str:
    """The URL of a Rasa server that is not running (nothing listens on the port)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def rasa_hangs() -> Iterator[str]:
    """A server that accepts connections and never answers: a Rasa stuck on a slow request."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture
def rasa_without_crisis_card() -> Iterator[str]:
    """A Rasa whose dialogue answers everything with a plain sentence: a broken or degraded dialogue."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps([{"recipient_id": "x", "text": "I'm not sure I follow."}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client_for(settings: Settings):
    """Make a TestClient for the app with given options and Rasa URL."""
    clients: list[TestClient] = []

    def make(rasa_url: str, options: WebOptions = QUIET) -> TestClient:
        client = TestClient(create_app(settings, options=options, rasa_url=rasa_url))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa + action servers for this package's tests, stopped when the package is done."""
    running = Stack(tmp_path_factory.mktemp("web-var")).start()
    yield running
    running.stop()


@pytest.fixture
def live(stack: Stack) -> Iterator[TestClient]:
    """The web app in-process, talking to the real Rasa server."""
    with TestClient(create_app(stack.settings, options=QUIET)) as client:
        yield client


@pytest.fixture
def console(settings: Settings, rasa_down: str) -> Iterator[TestClient]:
    """The web app for console tests (no Rasa needed), with a cookie jar like a browser."""
    with TestClient(create_app(settings, options=QUIET, rasa_url=rasa_down)) as client:
        yield client


@pytest.fixture
def other_console(settings: Settings, rasa_down: str) -> Iterator[TestClient]:
    """A second browser: another staff member at the same time."""
    with TestClient(create_app(settings, options=QUIET, rasa_url=rasa_down)) as client:
        yield client
