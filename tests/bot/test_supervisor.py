"""`bot run`'s supervisor: readiness, failure while starting, clean stop of every child."""
import io
import sys
import time

import pytest

from bot.supervisor import Service, Supervisor
from bot.supervisor import free_port


def http_server(name: str) -> Service:
    port = free_port()
    return Service(name, [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                   health_url=f"http://127.0.0.1:{port}/")


def test_waits_until_every_service_answers_then_stops_them_all():
    services = [http_server("one"), http_server("two")]
    supervisor = Supervisor(services, cwd=".", output=io.BytesIO())
    supervisor.start()
    try:
        supervisor.wait_until_ready(timeout=30)
        assert all(s.process.poll() is None for s in services)
    finally:
        supervisor.stop()
    assert all(s.process.poll() is not None for s in services)


def test_a_service_that_dies_while_starting_is_named_in_the_error():
    broken = Service("broken", [sys.executable, "-c", "raise SystemExit(3)"], health_url="http://127.0.0.1:9/")
    supervisor = Supervisor([broken], cwd=".", output=io.BytesIO())
    supervisor.start()
    try:
        with pytest.raises(RuntimeError, match="broken exited with code 3"):
            supervisor.wait_until_ready(timeout=30)
    finally:
        supervisor.stop()


def test_output_lines_are_prefixed_with_the_service_name():
    output = io.BytesIO()
    talker = Service("talker", [sys.executable, "-c", "print('hello')"], health_url="http://127.0.0.1:9/")
    supervisor = Supervisor([talker], cwd=".", output=output)
    supervisor.start()
    talker.process.wait(timeout=30)
    supervisor.stop()
    deadline = time.monotonic() + 5  # the pump thread copies the line asynchronously
    while b"talker | hello" not in output.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"talker | hello" in output.getvalue()
