"""`bot run-cluster` needs the shared stores; without them it says which is missing and starts nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.services import cluster_services
from bot.settings import load_settings
from bot.supervisor import free_port
from tests.processes import port_answers

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("environ, missing", [
    ({}, ["DATABASE_URL", "REDIS_URL"]),
    ({"DATABASE_URL": "postgresql://clinic@127.0.0.1:1/clinic"}, ["REDIS_URL"]),
    ({"REDIS_URL": "redis://127.0.0.1:1/0"}, ["DATABASE_URL"]),
    ({"DATABASE_URL": "sqlite:////tmp/x.db", "REDIS_URL": "redis://127.0.0.1:1/0"}, ["DATABASE_URL"]),
])
def test_without_postgresql_and_redis_it_names_what_is_missing_and_starts_nothing(tmp_path, environ, missing):
    ports = {"BOT_RASA_PORT": str(free_port()), "BOT_ACTIONS_PORT": str(free_port()), "BOT_WEB_PORT": str(free_port())}
    env = {"PATH": "/usr/bin:/bin", "BOT_VAR_DIR": str(tmp_path / "var"), **ports, **environ}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run-cluster"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    for name in missing:
        assert f"error: {name} must" in done.stderr
    for name in {"DATABASE_URL", "REDIS_URL"} - set(missing):
        assert f"error: {name} must" not in done.stderr
    assert "Nothing was started" in done.stderr
    assert not any(port_answers(int(port)) for port in ports.values())


def test_the_replicas_share_the_stores_and_the_web_app_knows_them_all(tmp_path):
    settings = load_settings(environ={
        "BOT_VAR_DIR": str(tmp_path), "BOT_RASA_PORT": "7005",
        "DATABASE_URL": "postgresql://clinic@db.internal:5432/clinic", "REDIS_URL": "redis://cache.internal:6379/0",
    })
    services = {s.name: s for s in cluster_services(settings, replicas=3)}
    assert set(services) == {"rasa-1", "rasa-2", "rasa-3", "actions", "web"}
    assert [services[f"rasa-{i}"].address[1] for i in (1, 2, 3)] == [7005, 7006, 7007]
    endpoints = {tuple(s.command[s.command.index("--endpoints") + 1:][:1]) for n, s in services.items()
                 if n.startswith("rasa-")}
    assert len(endpoints) == 1  # one endpoints file: one tracker store, one lock store
    assert services["web"].env["BOT_RASA_URLS"].split(",") == [
        f"http://{settings.services.host}:{port}" for port in (7005, 7006, 7007)]
