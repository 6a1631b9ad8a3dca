"""The action server listens on the configured host only (rasa-sdk's default is every interface, and
anyone reaching it could post a forged tracker to action_escalate and create cases)."""
from __future__ import annotations

import os
import subprocess
import time

import httpx
import psutil

from bot.services import action_server
from bot.settings import load_settings
from bot.supervisor import free_port


def listening_addresses(pid: int) -> set[str]:
    found: set[str] = set()
    for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        for connection in process.net_connections(kind="inet"):
            if connection.status == psutil.CONN_LISTEN:
                found.add(connection.laddr.ip)
    return found


def test_the_action_server_binds_the_configured_host_only(tmp_path):
    port = free_port()
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_ACTIONS_PORT": str(port)})
    service = action_server(settings)
    process = subprocess.Popen(service.command, env={**os.environ, **service.env}, cwd=str(settings.root),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(service.health_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError("the action server did not start")
        assert listening_addresses(process.pid) == {settings.services.host}
    finally:
        process.terminate()
        process.wait(timeout=20)
