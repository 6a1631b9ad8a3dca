"""`bot run`'s supervisor: readiness (from our own processes only), busy ports, failure while starting,
and a stop of every child and grandchild however the supervisor ends."""
import io
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Iterator

import psutil
import pytest

from bot import ports
from bot.supervisor import PortsBusy, Service, Supervisor
from bot.supervisor import free_port
from tests.processes import alive, assert_all_gone, kill_survivors


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


@pytest.fixture
def stale_server() -> Iterator[subprocess.Popen]:
    """A server already listening on a port, as one left over from an earlier run would be."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process.port = port
    try:
        deadline = time.monotonic() + 30
        while not ports.held_by_tree(process.pid, port):
            assert time.monotonic() < deadline, "the stale server did not start"
            time.sleep(0.1)
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_stale_server_answering_on_the_port_is_never_taken_for_ours(stale_server):
    # Our service has not bound its port yet (e.g. still loading a model); the stale one answers.
    slow = Service("slow", [sys.executable, "-c", "import time; time.sleep(60)"],
                   health_url=f"http://127.0.0.1:{stale_server.port}/")
    supervisor = Supervisor([slow], cwd=".", output=io.BytesIO())
    supervisor.start()
    try:
        with pytest.raises(RuntimeError, match="answers, but not from the process started here"):
            supervisor.wait_until_ready(timeout=3)
    finally:
        supervisor.stop()


def test_a_service_that_cannot_bind_its_port_names_the_process_holding_it(stale_server):
    clash = Service("clash", [sys.executable, "-m", "http.server", str(stale_server.port), "--bind", "127.0.0.1"],
                    health_url=f"http://127.0.0.1:{stale_server.port}/")
    supervisor = Supervisor([clash], cwd=".", output=io.BytesIO())
    supervisor.start()
    try:
        with pytest.raises(RuntimeError, match=rf"clash exited with code 1 while starting.*PID {stale_server.pid}"):
            supervisor.wait_until_ready(timeout=30)
    finally:
        supervisor.stop()


def test_a_busy_port_is_reported_with_its_holder_and_nothing_starts(stale_server, capsys):
    ours = http_server("ours")
    busy = Service("busy", [sys.executable, "-c", "pass"], health_url=f"http://127.0.0.1:{stale_server.port}/")
    supervisor = Supervisor([ours, busy], cwd=".", output=io.BytesIO())
    with pytest.raises(PortsBusy) as raised:
        supervisor.run_forever(on_ready="ready: test")
    message = str(raised.value)
    assert f"port {stale_server.port} (busy) is in use by PID {stale_server.pid}" in message
    assert f"kill {stale_server.pid}" in message
    assert ours.process is None and busy.process is None
    assert "ready:" not in capsys.readouterr().out


# A service that starts a worker process of its own, as Sanic does with several workers: the worker
# listens on the port, so only it keeps the port bound once the service's main process has gone.
SERVICE_WITH_WORKER = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-m', 'http.server', sys.argv[1], '--bind', '127.0.0.1']); "
    "time.sleep(600)"
)
# `bot run` in miniature: one such service under a Supervisor, in the foreground.
SUPERVISOR = (
    "import sys; from bot.supervisor import Service, Supervisor; "
    f"service = Service('svc', [sys.executable, '-c', {SERVICE_WITH_WORKER!r}, sys.argv[1]], "
    "health_url=f'http://127.0.0.1:{sys.argv[1]}/'); "
    "sys.exit(Supervisor([service], cwd='.').run_forever(on_ready='ready: test'))"
)


def start_supervisor() -> tuple[subprocess.Popen, int, list[psutil.Process]]:
    """The miniature `bot run`, once ready: its process, the port and every process under it."""
    port = free_port()
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR, str(port)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    lines = []
    for line in supervisor.stdout:
        lines.append(line)
        if line.startswith(b"ready:"):
            break
    assert lines and lines[-1].startswith(b"ready:"), b"".join(lines)
    threading.Thread(target=supervisor.stdout.read, daemon=True).start()  # keep draining its output
    tree = psutil.Process(supervisor.pid).children(recursive=True)
    assert any(p.ppid() != supervisor.pid for p in tree), "no worker under the service: the test proves nothing"
    return supervisor, port, tree


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
                         ids=lambda s: signal.Signals(s).name)
def test_services_and_their_workers_stop_however_the_supervisor_ends(signum):
    supervisor, port, tree = start_supervisor()
    try:
        os.kill(supervisor.pid, signum)
        assert_all_gone(tree, [port])
    finally:
        supervisor.kill()
        supervisor.wait()
        kill_survivors(tree)


def test_a_service_dies_with_the_supervisor_even_when_its_watchdog_is_killed_too():
    supervisor, port, tree = start_supervisor()
    service = next(p for p in tree if p.ppid() == supervisor.pid and "bot.watchdog" not in p.cmdline())
    watchdog = next(p for p in tree if "bot.watchdog" in p.cmdline())
    try:
        watchdog.kill()
        os.kill(supervisor.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while alive(service) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(service)  # PR_SET_PDEATHSIG
    finally:
        supervisor.wait()
        kill_survivors(tree)
